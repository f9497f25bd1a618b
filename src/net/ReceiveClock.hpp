#pragma once
// Places the kernel's receive timestamps (SO_TIMESTAMPNS: CLOCK_REALTIME,
// taken when the datagram reached the socket layer) on the steady clock the
// media path runs on. A busy worker reads a datagram long after it arrived;
// arrival-based measurements (transport-wide-cc feedback, REMB, jitter) must
// see the network's delay, not the worker's.
//
// Both clocks are sampled once per receive batch, back to back, and a
// datagram's arrival is the batch's steady time minus its age on the wall
// clock. The wall clock may step (settimeofday, NTP); a step between a
// datagram's stamp and the sample would shift its arrival by the step, so a
// batch whose clock offset moved more than slewing allows since the previous
// batch is not trusted: its datagrams arrive at the batch's read time, as do
// those without a stamp or with an implausible age.
#include <cstdint>
#include <optional>

#include "core/Clock.hpp"

namespace ct::net {

class ReceiveClock {
 public:
  // Older stamps are taken for the wall clock's error, not for waiting.
  static constexpr Duration kMaxAge = seconds(1);
  // The offset may drift this much plus 1000 ppm of the time between
  // batches (NTP slews at most 500 ppm) before a step is assumed.
  static constexpr Duration kOffsetTolerance = milliseconds(2);

  // Reads both clocks (at once after a receive call returns).
  void sample();
  // The same from given readings: `realtime_ns` is CLOCK_REALTIME since the epoch.
  void sample(TimePoint steady, int64_t realtime_ns);

  // The steady time the datagram stamped `kernel_realtime_ns` arrived; the
  // batch's read time without a usable stamp.
  TimePoint arrival(std::optional<int64_t> kernel_realtime_ns) const;
  // The steady time of the last sample.
  TimePoint read_time() const { return steady_; }
  // Batches whose stamps were not trusted because the wall clock stepped.
  uint64_t clock_steps() const { return clock_steps_; }

 private:
  TimePoint steady_{};
  int64_t realtime_ns_ = 0;
  std::optional<int64_t> offset_ns_;  // realtime minus steady at the last sample
  bool trusted_ = false;
  uint64_t clock_steps_ = 0;
};

}  // namespace ct::net
