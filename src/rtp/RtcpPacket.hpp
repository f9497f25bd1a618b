#pragma once
// A view over one RTCP packet (RFC 3550 §6.4) inside a compound datagram,
// and the header writer the typed builders share.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::rtp {

// Packet types (RFC 3550 §12.1, RFC 4585 §6.1).
namespace rtcp_type {
inline constexpr uint8_t kSenderReport = 200;
inline constexpr uint8_t kReceiverReport = 201;
inline constexpr uint8_t kSdes = 202;
inline constexpr uint8_t kBye = 203;
inline constexpr uint8_t kApp = 204;
inline constexpr uint8_t kTransportFeedback = 205;  // RTPFB
inline constexpr uint8_t kPayloadFeedback = 206;    // PSFB
}  // namespace rtcp_type

// Feedback message types (the FMT field).
namespace rtcp_fmt {
inline constexpr uint8_t kNack = 1;          // RTPFB, RFC 4585 §6.2.1
inline constexpr uint8_t kTransportCc = 15;  // RTPFB, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1
inline constexpr uint8_t kPli = 1;           // PSFB, RFC 4585 §6.3.1
inline constexpr uint8_t kFir = 4;           // PSFB, RFC 5104 §4.3.1
inline constexpr uint8_t kAfb = 15;          // PSFB application layer feedback (REMB), RFC 4585 §6.4
}  // namespace rtcp_fmt

class RtcpPacket {
 public:
  static constexpr size_t kHeaderSize = 4;

  // Validates the packet at the front of `bytes`: at least a header,
  // version 2, the length field fits, and a padding count (P bit) that is
  // nonzero and within the packet. The view spans the packet's own length.
  static std::optional<RtcpPacket> parse(std::span<const uint8_t> bytes);

  uint8_t count() const { return bytes_[0] & 0x1F; }  // RC, SC or FMT
  uint8_t type() const { return bytes_[1]; }
  bool has_padding() const { return (bytes_[0] & 0x20) != 0; }
  size_t padding_size() const { return padding_; }
  // The whole packet, header and padding included.
  std::span<const uint8_t> bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  // After the 4-byte header, padding excluded.
  std::span<const uint8_t> body() const {
    return bytes_.subspan(kHeaderSize, bytes_.size() - kHeaderSize - padding_);
  }

 private:
  RtcpPacket(std::span<const uint8_t> bytes, size_t padding) : bytes_(bytes), padding_(padding) {}

  std::span<const uint8_t> bytes_;
  size_t padding_ = 0;
};

// Writes a header for a packet of `packet_size` bytes (a multiple of 4,
// header included, at most 4 * 65536) without padding.
void write_rtcp_header(uint8_t* out, uint8_t count, uint8_t type, size_t packet_size);
// The 12-byte common feedback header (RFC 4585 §6.1): header, packet sender
// SSRC, media source SSRC.
void write_rtcp_feedback_header(uint8_t* out, uint8_t fmt, uint8_t type, size_t packet_size,
                                uint32_t sender_ssrc, uint32_t media_ssrc);

}  // namespace ct::rtp
