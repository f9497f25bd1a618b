#pragma once
// A reception report block (RFC 3550 §6.4.1), shared by SR and RR.
#include <cstddef>
#include <cstdint>

namespace ct::rtp {

struct RtcpReportBlock {
  static constexpr size_t kSize = 24;

  uint32_t ssrc = 0;  // the source this block reports on
  uint8_t fraction_lost = 0;
  int32_t cumulative_lost = 0;  // 24-bit signed on the wire
  uint32_t extended_highest_sequence = 0;
  uint32_t jitter = 0;
  uint32_t last_sr = 0;              // middle 32 bits of the last SR's NTP time
  uint32_t delay_since_last_sr = 0;  // in 1/65536 s

  static RtcpReportBlock read(const uint8_t* in);  // kSize bytes
  void write(uint8_t* out) const;                  // kSize bytes
  bool operator==(const RtcpReportBlock&) const = default;
};

}  // namespace ct::rtp
