#include "rtp/H264Payload.hpp"

namespace ct::rtp {

std::optional<H264Payload> H264Payload::parse(std::span<const uint8_t> payload) {
  if (payload.empty() || (payload[0] & 0x80) != 0) return std::nullopt;  // §5.3: F must be 0
  H264Payload out;
  out.payload = payload;
  const uint8_t type = nal_type(payload[0]);
  if (type >= 1 && type <= 23) {
    out.kind = Kind::SingleNal;  // §5.6
    return out;
  }
  if (type == h264_nal::kStapA) {
    // §5.7.1: one or more NAL units, each behind its 16-bit size, filling the payload exactly.
    size_t at = 1, units = 0;
    while (at < payload.size()) {
      if (at + 2 > payload.size()) return std::nullopt;
      const size_t size = size_t(payload[at]) << 8 | payload[at + 1];
      if (size == 0 || at + 2 + size > payload.size()) return std::nullopt;
      if ((payload[at + 2] & 0x80) != 0) return std::nullopt;
      at += 2 + size;
      ++units;
    }
    if (units == 0) return std::nullopt;
    out.kind = Kind::StapA;
    return out;
  }
  if (type == h264_nal::kFuA) {
    // §5.8: FU indicator, FU header |S|E|R|Type|, then at least one byte.
    if (payload.size() < 3) return std::nullopt;
    const uint8_t header = payload[1];
    out.kind = Kind::FuA;
    out.fragment_start = (header & 0x80) != 0;
    out.fragment_end = (header & 0x40) != 0;
    if (out.fragment_start && out.fragment_end) return std::nullopt;
    const uint8_t fragmented_type = nal_type(header);
    if (fragmented_type == 0 || fragmented_type > 23) return std::nullopt;
    out.fragmented_nal_header = uint8_t((payload[0] & 0xE0) | fragmented_type);
    out.fragment = payload.subspan(2);
    return out;
  }
  return std::nullopt;  // 0, 25-27 (interleaved mode, MTAPs), 29 (FU-B), 30-31 (undefined)
}

bool H264Payload::starts_nal_of_type(uint8_t type) const {
  if (kind == Kind::FuA) return fragment_start && nal_type(fragmented_nal_header) == type;
  bool found = false;
  for_each_nal([&](std::span<const uint8_t> nal) {
    if (!nal.empty() && nal_type(nal[0]) == type) found = true;
  });
  return found;
}

}  // namespace ct::rtp
