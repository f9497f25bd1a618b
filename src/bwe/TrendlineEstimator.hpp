#pragma once
// The delay trend of draft-ietf-rmcat-gcc-02 §5.3, done as libwebrtc does it:
// accumulate the inter-group delay variation, smooth it exponentially, and
// fit a least-squares line through the last kWindow (arrival time, smoothed
// delay) points. A positive slope means the bottleneck queue is growing.
#include <array>
#include <cstddef>
#include <cstdint>

namespace ct::bwe {

class TrendlineEstimator {
 public:
  static constexpr size_t kWindow = 20;
  static constexpr double kSmoothing = 0.9;
  // The slope is scaled by min(deltas, kMaxDeltasGain) * kGain before it is
  // compared with the detector's threshold (in ms).
  static constexpr size_t kMaxDeltasGain = 60;
  static constexpr double kGain = 4.0;

  // One group delta, in µs. Updates the trend once the window is full.
  void update(int64_t arrival_delta_us, int64_t send_delta_us, int64_t arrival_time_us);

  // The slope of delay over arrival time (ms per ms), 0 until the window fills.
  double trend() const { return trend_; }
  // The trend scaled for the detector (gcc-02's m(i), in ms).
  double modified_trend() const;
  size_t deltas() const { return deltas_; }

 private:
  struct Point {
    double x_ms = 0;
    double y_ms = 0;
  };

  size_t deltas_ = 0;
  bool have_first_arrival_ = false;
  int64_t first_arrival_us_ = 0;
  double accumulated_delay_ms_ = 0;
  double smoothed_delay_ms_ = 0;
  double trend_ = 0;
  std::array<Point, kWindow> window_{};
  size_t window_size_ = 0;
  size_t window_next_ = 0;
};

}  // namespace ct::bwe
