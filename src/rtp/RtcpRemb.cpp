#include "rtp/RtcpRemb.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

namespace {
constexpr uint32_t kIdentifier = 0x52454D42;  // "REMB"
constexpr uint32_t kMantissaMax = (1u << 18) - 1;
}  // namespace

std::optional<RtcpRemb> RtcpRemb::parse(const RtcpPacket& packet) {
  if (packet.type() != kType || packet.count() != kFmt) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  // Sender SSRC, media SSRC, 'REMB', num SSRC + BR exp + BR mantissa.
  if (body.size() < 16 || load_u32(&body[8]) != kIdentifier) return std::nullopt;
  if (body.size() < 16 + 4 * size_t(body[12])) return std::nullopt;
  return RtcpRemb(body);
}

uint32_t RtcpRemb::sender_ssrc() const { return load_u32(&body_[0]); }

uint64_t RtcpRemb::bitrate_bps() const {
  const unsigned exponent = body_[13] >> 2;
  const uint64_t mantissa = load_u24(&body_[13]) & kMantissaMax;
  // A 6-bit exponent can shift an 18-bit mantissa past 64 bits; saturate.
  if (exponent > 46 && (mantissa >> (64 - exponent)) != 0) return UINT64_MAX;
  return mantissa << exponent;
}

uint32_t RtcpRemb::ssrc(size_t index) const { return load_u32(&body_[16 + 4 * index]); }

size_t RtcpRemb::build(std::span<uint8_t> out, uint32_t sender_ssrc, uint64_t bitrate_bps,
                       std::span<const uint32_t> ssrcs) {
  const size_t total = size(ssrcs.size());
  if (ssrcs.size() > kMaxSsrcs || out.size() < total) return 0;
  unsigned exponent = 0;
  while ((bitrate_bps >> exponent) > kMantissaMax) ++exponent;
  const uint32_t mantissa = uint32_t(bitrate_bps >> exponent);
  uint8_t* p = out.data();
  write_rtcp_feedback_header(p, kFmt, kType, total, sender_ssrc, 0);
  store_u32(p + 12, kIdentifier);
  p[16] = uint8_t(ssrcs.size());
  store_u24(p + 17, uint32_t(exponent) << 18 | mantissa);
  for (size_t i = 0; i < ssrcs.size(); ++i) store_u32(p + 20 + 4 * i, ssrcs[i]);
  return total;
}

}  // namespace ct::rtp
