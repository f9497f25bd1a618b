#pragma once
// A token bucket for rate limits (DESIGN.md §1 "protection"): signaling
// messages per session or client address, data messages per participant.
// The caller passes `now`, so tests drive time and a hot path reads the
// clock once for many checks.
#include "core/Clock.hpp"

namespace ct {

// Holds up to `burst` tokens and refills at `rate_per_second`; an action costs
// tokens and is allowed only if the bucket holds that many. Starts full.
// No allocation, no locking: one bucket belongs to one thread.
class TokenBucket {
 public:
  // Negative or non-finite values count as 0 (a bucket that never refills or
  // never holds anything).
  TokenBucket(double rate_per_second, double burst);

  // Takes `cost` tokens if available. A cost above the burst never succeeds;
  // a negative or non-finite cost is refused. Time running backwards (a
  // `now` older than the last one seen) refills nothing.
  bool try_take(TimePoint now, double cost = 1);

  // Tokens available at `now` (refills first).
  double available(TimePoint now);

  double rate_per_second() const { return rate_; }
  double burst() const { return burst_; }

 private:
  void refill(TimePoint now);

  double rate_;
  double burst_;
  double tokens_;
  TimePoint last_{};
  bool started_ = false;
};

}  // namespace ct
