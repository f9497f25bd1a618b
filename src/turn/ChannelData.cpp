#include "turn/ChannelData.hpp"

#include <cstring>

#include "core/Endian.hpp"

namespace ct::turn {

std::optional<ChannelDataView> parse_channel_data(std::span<const uint8_t> d) {
  if (d.size() < kChannelDataHeader) return std::nullopt;
  uint16_t channel = load_u16(&d[0]);
  size_t length = load_u16(&d[2]);
  if (!is_valid_channel(channel)) return std::nullopt;
  if (kChannelDataHeader + length > d.size()) return std::nullopt;
  return ChannelDataView{channel, d.subspan(kChannelDataHeader, length)};
}

size_t write_channel_data(std::span<uint8_t> out, uint16_t channel, std::span<const uint8_t> data, bool pad) {
  if (data.size() > 0xFFFF) return 0;
  size_t total = kChannelDataHeader + data.size();
  size_t padded = pad ? (total + 3) & ~size_t(3) : total;
  if (out.size() < padded) return 0;
  store_u16(&out[0], channel);
  store_u16(&out[2], uint16_t(data.size()));
  if (!data.empty()) std::memcpy(&out[kChannelDataHeader], data.data(), data.size());
  std::memset(&out[total], 0, padded - total);
  return padded;
}

std::optional<size_t> stream_frame_size(std::span<const uint8_t> b) {
  if (b.size() < 4) return std::nullopt;
  size_t length = load_u16(&b[2]);
  switch (b[0] & 0xC0) {
    case 0x00:
      return 20 + length;  // STUN; the header check happens when it is parsed
    case 0x40:
      if (!is_valid_channel(load_u16(&b[0]))) return std::nullopt;
      return (kChannelDataHeader + length + 3) & ~size_t(3);
    default:
      return std::nullopt;
  }
}

}  // namespace ct::turn
