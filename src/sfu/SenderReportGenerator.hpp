#pragma once
// Sender reports (RFC 3550 §6.4.1) for one outbound (forwarded) stream: the
// NTP/RTP timestamp pair lets the subscriber's receiver sync audio with video
// and compute round-trip times, the counts feed its statistics.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/Clock.hpp"

namespace ct::sfu {

class SenderReportGenerator {
 public:
  SenderReportGenerator(uint32_t ssrc, uint32_t clock_rate);

  // Counts a sent packet. Its timestamp becomes the extrapolation reference
  // unless it is older than the current one (a retransmission or a reordered
  // packet), which would make the extrapolated RTP time jump back.
  void on_packet_sent(uint32_t rtp_timestamp, size_t payload_bytes, TimePoint now);

  // Builds an SR without report blocks into `out`; returns its length, 0 if
  // nothing was sent yet or `out` is too small. The NTP time is `wallclock`;
  // the RTP time is the last sent timestamp advanced by the clock rate over
  // the time since it was sent.
  size_t build(std::span<uint8_t> out, TimePoint now, std::chrono::system_clock::time_point wallclock);

  // The RTP timestamp that corresponds to `now`; only meaningful once a
  // packet was sent.
  uint32_t rtp_timestamp_at(TimePoint now) const;
  uint32_t packet_count() const { return packet_count_; }
  uint32_t octet_count() const { return octet_count_; }
  uint32_t ssrc() const { return ssrc_; }

  // 64-bit NTP format (RFC 5905 §6): seconds since 1900 and a 32-bit fraction.
  static uint64_t to_ntp(std::chrono::system_clock::time_point wallclock);

 private:
  uint32_t ssrc_;
  uint32_t clock_rate_;
  bool sent_ = false;
  uint32_t last_rtp_timestamp_ = 0;
  TimePoint last_sent_at_{};
  // Wrap modulo 2^32 as §6.4.1 allows.
  uint32_t packet_count_ = 0;
  uint32_t octet_count_ = 0;
};

}  // namespace ct::sfu
