#include "rtp/RtcpReportBlock.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

RtcpReportBlock RtcpReportBlock::read(const uint8_t* in) {
  RtcpReportBlock block;
  block.ssrc = load_u32(in);
  block.fraction_lost = in[4];
  // Sign-extend the 24-bit cumulative count (it goes negative with duplicates).
  const uint32_t lost = load_u24(in + 5);
  block.cumulative_lost = (lost & 0x800000) ? int32_t(lost | 0xFF000000u) : int32_t(lost);
  block.extended_highest_sequence = load_u32(in + 8);
  block.jitter = load_u32(in + 12);
  block.last_sr = load_u32(in + 16);
  block.delay_since_last_sr = load_u32(in + 20);
  return block;
}

void RtcpReportBlock::write(uint8_t* out) const {
  // Clamp to the 24-bit signed range rather than wrap.
  const int32_t lost = cumulative_lost > 0x7FFFFF    ? 0x7FFFFF
                       : cumulative_lost < -0x800000 ? -0x800000
                                                     : cumulative_lost;
  store_u32(out, ssrc);
  out[4] = fraction_lost;
  store_u24(out + 5, uint32_t(lost) & 0xFFFFFF);
  store_u32(out + 8, extended_highest_sequence);
  store_u32(out + 12, jitter);
  store_u32(out + 16, last_sr);
  store_u32(out + 20, delay_since_last_sr);
}

}  // namespace ct::rtp
