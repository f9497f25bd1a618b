#pragma once
// ChannelData messages (RFC 8656 §12.4): a 4-byte header (channel number,
// length) and the application data. Over TCP and TLS the message is padded
// to a multiple of 4 bytes (§12.5); over UDP padding is optional.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::turn {

// RFC 8656 §12 narrowed channels to 0x4000-0x4FFF; RFC 5766 clients (coturn's
// among them) still pick numbers up to 0x7FFF, which stay unambiguous on the
// wire (first two bits 01), so the whole older range is accepted.
constexpr uint16_t kMinChannel = 0x4000;
constexpr uint16_t kMaxChannel = 0x7FFF;
constexpr size_t kChannelDataHeader = 4;

constexpr bool is_valid_channel(uint16_t channel) { return channel >= kMinChannel && channel <= kMaxChannel; }

// First two bits 01 (RFC 7983 demultiplexing; STUN starts with 00).
inline bool looks_like_channel_data(std::span<const uint8_t> d) { return d.size() >= kChannelDataHeader && (d[0] & 0xC0) == 0x40; }

struct ChannelDataView {
  uint16_t channel = 0;
  std::span<const uint8_t> data;
};

// Parses one ChannelData message from a datagram (which may carry padding
// after the data). Nothing if short, the channel is out of range or the
// length runs past the end.
std::optional<ChannelDataView> parse_channel_data(std::span<const uint8_t> datagram);

// Writes the header and copies `data` into `out`, adding zero padding to 4
// bytes when `pad`. Returns the bytes written, or 0 if `out` is too small.
size_t write_channel_data(std::span<uint8_t> out, uint16_t channel, std::span<const uint8_t> data, bool pad);

// The size of a whole framed message on a stream given its first 4 bytes
// (STUN: 20 + length; ChannelData: 4 + length rounded up to 4), or nothing
// if the bytes are neither.
std::optional<size_t> stream_frame_size(std::span<const uint8_t> first4);

}  // namespace ct::turn
