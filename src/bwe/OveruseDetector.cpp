#include "bwe/OveruseDetector.hpp"

#include <algorithm>
#include <cmath>

namespace ct::bwe {

BandwidthUsage OveruseDetector::detect(double trend, double modified_trend, double send_delta_ms,
                                       int64_t now_ms) {
  if (modified_trend > threshold_ms_) {
    // Half the first interval: the overuse began somewhere inside it.
    time_over_using_ms_ = time_over_using_ms_ < 0 ? send_delta_ms / 2 : time_over_using_ms_ + send_delta_ms;
    ++overuse_count_;
    if (time_over_using_ms_ > kOverusingTimeMs && overuse_count_ > 1 && trend >= previous_trend_) {
      time_over_using_ms_ = 0;
      overuse_count_ = 0;
      usage_ = BandwidthUsage::kOverusing;
    }
  } else if (modified_trend < -threshold_ms_) {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    usage_ = BandwidthUsage::kUnderusing;
  } else {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    usage_ = BandwidthUsage::kNormal;
  }
  previous_trend_ = trend;
  update_threshold(modified_trend, now_ms);
  return usage_;
}

void OveruseDetector::update_threshold(double modified_trend, int64_t now_ms) {
  if (!have_update_) {
    have_update_ = true;
    last_update_ms_ = now_ms;
  }
  const double magnitude = std::fabs(modified_trend);
  if (magnitude > threshold_ms_ + kMaxAdaptOffsetMs) {
    // A spike (e.g. a route change) must not drag γ up.
    last_update_ms_ = now_ms;
    return;
  }
  const double k = magnitude < threshold_ms_ ? kDown : kUp;
  // Arrival times come from the receiver's clock: a step back adapts nothing.
  const double elapsed_ms = double(std::clamp<int64_t>(now_ms - last_update_ms_, 0, 100));
  threshold_ms_ += k * (magnitude - threshold_ms_) * elapsed_ms;
  threshold_ms_ = std::clamp(threshold_ms_, kMinThresholdMs, kMaxThresholdMs);
  last_update_ms_ = now_ms;
}

}  // namespace ct::bwe
