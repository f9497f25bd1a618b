#include "rtp/H264Payload.hpp"

namespace ct::rtp {
namespace {
constexpr uint8_t kTypeMask = 0x1F;
constexpr uint8_t kIdr = 5, kSps = 7, kStapA = 24, kFuA = 28;
constexpr uint8_t kFuStart = 0x80;  // S bit of the FU header (§5.8)

void note(H264Payload& h, uint8_t nal_type) {
  if (nal_type == kIdr) h.has_idr = true;
  if (nal_type == kSps) h.has_sps = true;
}
}  // namespace

std::optional<H264Payload> H264Payload::parse(std::span<const uint8_t> payload) {
  if (payload.empty()) return std::nullopt;
  H264Payload h;
  h.packet_type = payload[0] & kTypeMask;
  if (h.packet_type == 0) return std::nullopt;  // forbidden type (§5.4: 0 is undefined)
  if (h.packet_type < kStapA) {
    note(h, h.packet_type);
  } else if (h.packet_type == kStapA) {
    // §5.7.1: after the STAP-A header, units of a 16-bit size and a NAL unit.
    size_t at = 1;
    if (at >= payload.size()) return std::nullopt;
    while (at < payload.size()) {
      if (at + 2 > payload.size()) return std::nullopt;
      const size_t size = size_t(payload[at]) << 8 | payload[at + 1];
      at += 2;
      if (size == 0 || at + size > payload.size()) return std::nullopt;
      note(h, payload[at] & kTypeMask);
      at += size;
    }
  } else if (h.packet_type == kFuA) {
    if (payload.size() < 3) return std::nullopt;  // indicator, header, at least one byte
    if (payload[1] & kFuStart) note(h, payload[1] & kTypeMask);
  }
  return h;
}

}  // namespace ct::rtp
