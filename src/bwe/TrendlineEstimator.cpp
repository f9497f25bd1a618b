#include "bwe/TrendlineEstimator.hpp"

#include <algorithm>

namespace ct::bwe {

void TrendlineEstimator::update(int64_t arrival_delta_us, int64_t send_delta_us, int64_t arrival_time_us) {
  deltas_ = std::min<size_t>(deltas_ + 1, 1000);
  if (!have_first_arrival_) {
    have_first_arrival_ = true;
    first_arrival_us_ = arrival_time_us;
  }
  accumulated_delay_ms_ += double(arrival_delta_us - send_delta_us) / 1000.0;
  smoothed_delay_ms_ = kSmoothing * smoothed_delay_ms_ + (1 - kSmoothing) * accumulated_delay_ms_;
  window_[window_next_] = {double(arrival_time_us - first_arrival_us_) / 1000.0, smoothed_delay_ms_};
  window_next_ = (window_next_ + 1) % kWindow;
  window_size_ = std::min(window_size_ + 1, kWindow);
  if (window_size_ < kWindow) return;

  // Least squares: slope = Σ(x - x̄)(y - ȳ) / Σ(x - x̄)².
  double sum_x = 0;
  double sum_y = 0;
  for (const Point& p : window_) {
    sum_x += p.x_ms;
    sum_y += p.y_ms;
  }
  const double mean_x = sum_x / double(kWindow);
  const double mean_y = sum_y / double(kWindow);
  double numerator = 0;
  double denominator = 0;
  for (const Point& p : window_) {
    numerator += (p.x_ms - mean_x) * (p.y_ms - mean_y);
    denominator += (p.x_ms - mean_x) * (p.x_ms - mean_x);
  }
  if (denominator != 0) trend_ = numerator / denominator;
}

double TrendlineEstimator::modified_trend() const {
  return double(std::min(deltas_, kMaxDeltasGain)) * trend_ * kGain;
}

}  // namespace ct::bwe
