#include "sfu/ConnectionQualityEstimator.hpp"

#include <algorithm>

namespace ct::sfu {

std::string_view to_string(ConnectionQuality quality) {
  switch (quality) {
    case ConnectionQuality::Excellent: return "excellent";
    case ConnectionQuality::Good: return "good";
    case ConnectionQuality::Poor: return "poor";
    case ConnectionQuality::Lost: return "lost";
  }
  return "lost";
}

ConnectionQuality ConnectionQualityEstimator::classify(const Window& window) {
  if (window.silent) return ConnectionQuality::Lost;
  Duration rtt = window.rtt.value_or(Duration::zero());
  if (window.loss <= kExcellentLoss && rtt < kExcellentRtt) return ConnectionQuality::Excellent;
  if (window.loss <= kGoodLoss && rtt < kGoodRtt) return ConnectionQuality::Good;
  return ConnectionQuality::Poor;
}

ConnectionQuality ConnectionQualityEstimator::update(const Window& window) {
  ConnectionQuality verdict = classify(window);
  if (verdict >= current_) {  // the same or worse: shown at once
    current_ = verdict;
    better_windows_ = 0;
    return current_;
  }
  improving_to_ = better_windows_ == 0 ? verdict : std::max(improving_to_, verdict);
  if (++better_windows_ >= kWindowsToImprove) {
    current_ = improving_to_;
    better_windows_ = 0;
  }
  return current_;
}

}  // namespace ct::sfu
