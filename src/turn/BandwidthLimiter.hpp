#pragma once
// A token bucket in bytes: the per-allocation bandwidth cap. Refills from the
// clock on each use, holds at most one second of traffic as burst.
#include <algorithm>
#include <cstdint>

#include "core/Clock.hpp"

namespace ct::turn {

class BandwidthLimiter {
 public:
  BandwidthLimiter() = default;
  BandwidthLimiter(uint64_t bytes_per_second, TimePoint now)
      : rate_(bytes_per_second), tokens_(double(bytes_per_second)), last_(now) {}

  // True if `bytes` may pass now (and takes them from the bucket).
  bool allow(size_t bytes, TimePoint now) {
    if (rate_ == 0) return true;
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    if (elapsed > 0) tokens_ = std::min(double(rate_), tokens_ + elapsed * double(rate_));
    if (tokens_ < double(bytes)) return false;
    tokens_ -= double(bytes);
    return true;
  }

 private:
  uint64_t rate_ = 0;  // 0 = unlimited
  double tokens_ = 0;
  TimePoint last_{};
};

}  // namespace ct::turn
