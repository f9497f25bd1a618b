#pragma once
// Typed readers and writers for the header extensions an SFU looks at. Each
// takes the element's data as RtpPacket::find_extension returns it, and
// checks its length first.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ct::rtp {

// RFC 6464 §3: urn:ietf:params:rtp-hdrext:ssrc-audio-level.
struct AudioLevel {
  bool voice_activity = false;
  uint8_t level = 127;  // -dBov, 0 (loudest) .. 127 (silence)
};
std::optional<AudioLevel> read_audio_level(std::span<const uint8_t> data);
bool write_audio_level(std::span<uint8_t> data, AudioLevel value);

// RFC 8843 §15.1 (sdes:mid), RFC 8852 §3.1-3.2 (rtp-stream-id,
// repaired-rtp-stream-id): the text is the whole element. Empty data is not
// a valid identifier. The view aliases the packet.
std::optional<std::string_view> read_sdes_string(std::span<const uint8_t> data);
inline std::optional<std::string_view> read_mid(std::span<const uint8_t> data) {
  return read_sdes_string(data);
}
inline std::optional<std::string_view> read_rid(std::span<const uint8_t> data) {
  return read_sdes_string(data);
}
inline std::optional<std::string_view> read_repaired_rid(std::span<const uint8_t> data) {
  return read_sdes_string(data);
}

// draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: a 16-bit
// transport-wide sequence number (a 4-byte element from version 02 also
// carries a feedback request; its first two bytes are the same number).
std::optional<uint16_t> read_transport_sequence_number(std::span<const uint8_t> data);
bool write_transport_sequence_number(std::span<uint8_t> data, uint16_t value);

// abs-send-time (webrtc.org experiments): 24-bit 6.18 fixed-point seconds.
std::optional<uint32_t> read_abs_send_time(std::span<const uint8_t> data);
bool write_abs_send_time(std::span<uint8_t> data, uint32_t value);

}  // namespace ct::rtp
