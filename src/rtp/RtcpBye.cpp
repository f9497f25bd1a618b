#include "rtp/RtcpBye.hpp"

#include <cstring>

#include "core/Endian.hpp"

namespace ct::rtp {

std::optional<RtcpBye> RtcpBye::parse(const RtcpPacket& packet) {
  if (packet.type() != kType) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  const size_t count = packet.count();
  const size_t ssrc_bytes = 4 * count;
  if (body.size() < ssrc_bytes) return std::nullopt;
  std::string_view reason;
  // §6.6: an optional length-prefixed reason follows the SSRCs.
  if (body.size() > ssrc_bytes && body[ssrc_bytes] != 0) {
    const size_t length = body[ssrc_bytes];
    if (ssrc_bytes + 1 + length > body.size()) return std::nullopt;
    reason = std::string_view(reinterpret_cast<const char*>(&body[ssrc_bytes + 1]), length);
  }
  return RtcpBye(body, count, reason);
}

uint32_t RtcpBye::ssrc(size_t index) const { return load_u32(&body_[4 * index]); }

size_t RtcpBye::size(size_t ssrcs, std::string_view reason) {
  size_t total = RtcpPacket::kHeaderSize + 4 * ssrcs;
  if (!reason.empty()) total += (1 + reason.size() + 3) & ~size_t(3);
  return total;
}

size_t RtcpBye::build(std::span<uint8_t> out, std::span<const uint32_t> ssrcs, std::string_view reason) {
  if (ssrcs.size() > kMaxSsrcs || reason.size() > 255) return 0;
  const size_t total = size(ssrcs.size(), reason);
  if (out.size() < total) return 0;
  uint8_t* p = out.data();
  write_rtcp_header(p, uint8_t(ssrcs.size()), kType, total);
  size_t at = RtcpPacket::kHeaderSize;
  for (uint32_t ssrc : ssrcs) {
    store_u32(p + at, ssrc);
    at += 4;
  }
  if (!reason.empty()) {
    p[at] = uint8_t(reason.size());
    std::memcpy(p + at + 1, reason.data(), reason.size());
    at += 1 + reason.size();
    std::memset(p + at, 0, total - at);
  }
  return total;
}

}  // namespace ct::rtp
