#include "core/TokenBucket.hpp"

#include <algorithm>
#include <cmath>

namespace ct {

namespace {
double sanitize(double v) { return std::isfinite(v) && v > 0 ? v : 0.0; }
}  // namespace

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_(sanitize(rate_per_second)), burst_(sanitize(burst)), tokens_(burst_) {}

void TokenBucket::refill(TimePoint now) {
  if (!started_) {
    // The first call only fixes the time origin: the bucket starts full.
    started_ = true;
    last_ = now;
    return;
  }
  if (now <= last_) return;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

bool TokenBucket::try_take(TimePoint now, double cost) {
  refill(now);
  if (!(cost >= 0) || !std::isfinite(cost)) return false;
  // A nanosecond-scale slack so that refills summed in floating point (ten
  // refills of 0.1 s at 10/s) still pay for a whole token.
  constexpr double kSlack = 1e-9;
  if (tokens_ + kSlack < cost) return false;
  tokens_ = std::max(0.0, tokens_ - cost);
  return true;
}

double TokenBucket::available(TimePoint now) {
  refill(now);
  return tokens_;
}

}  // namespace ct
