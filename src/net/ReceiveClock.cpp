#include "net/ReceiveClock.hpp"

#include <time.h>

#include <cstdlib>

namespace ct::net {

namespace {

int64_t realtime_now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int64_t ns_of(Duration d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

}  // namespace

void ReceiveClock::sample() {
  // A thread preempted between the two readings would shift every arrival
  // of the batch by the pause: of three tries, the tightest pair is kept.
  int64_t best_gap = INT64_MAX;
  TimePoint steady{};
  int64_t realtime = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int64_t before = realtime_now_ns();
    const TimePoint s = Clock::now();
    const int64_t after = realtime_now_ns();
    if (after - before < best_gap) {
      best_gap = after - before;
      steady = s;
      realtime = before + (after - before) / 2;
    }
    if (best_gap < 20'000) break;
  }
  sample(steady, realtime);
}

void ReceiveClock::sample(TimePoint steady, int64_t realtime_ns) {
  const int64_t offset = realtime_ns - ns_of(steady.time_since_epoch());
  trusted_ = true;
  if (offset_ns_) {
    const int64_t allowed = ns_of(kOffsetTolerance) + ns_of(steady - steady_) / 1000;
    if (std::llabs(offset - *offset_ns_) > allowed) {
      trusted_ = false;
      ++clock_steps_;
    }
  }
  offset_ns_ = offset;
  steady_ = steady;
  realtime_ns_ = realtime_ns;
}

TimePoint ReceiveClock::arrival(std::optional<int64_t> kernel_realtime_ns) const {
  if (!kernel_realtime_ns || !trusted_) return steady_;
  const int64_t age = realtime_ns_ - *kernel_realtime_ns;
  // A stamp after the sample (the readings' own spread) arrived just now.
  if (age <= 0) return steady_;
  if (age > ns_of(kMaxAge)) return steady_;
  return steady_ - std::chrono::nanoseconds(age);
}

}  // namespace ct::net
