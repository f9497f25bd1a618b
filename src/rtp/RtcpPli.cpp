#include "rtp/RtcpPli.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

std::optional<RtcpPli> RtcpPli::parse(const RtcpPacket& packet) {
  if (packet.type() != kType || packet.count() != kFmt) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  if (body.size() < 8) return std::nullopt;
  return RtcpPli(load_u32(&body[0]), load_u32(&body[4]));
}

size_t RtcpPli::build(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc) {
  if (out.size() < kSize) return 0;
  write_rtcp_feedback_header(out.data(), kFmt, kType, kSize, sender_ssrc, media_ssrc);
  return kSize;
}

}  // namespace ct::rtp
