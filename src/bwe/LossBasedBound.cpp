#include "bwe/LossBasedBound.hpp"

#include <algorithm>
#include <cmath>

namespace ct::bwe {

void LossBasedBound::update(TimePoint now, double target_bps, double delay_based_bps, Duration rtt) {
  const uint32_t total = received_ + lost_;
  if (total < kMinPackets || (judged_ && now - last_judged_ < kMinInterval)) return;
  const double elapsed_s =
      judged_ ? std::min(std::chrono::duration<double>(now - last_judged_).count(), 1.0) : 0.0;
  judged_ = true;
  last_judged_ = now;
  loss_fraction_ = double(lost_) / double(total);
  received_ = lost_ = 0;

  if (loss_fraction_ > kHighLoss) {
    if (decreased_ && now - last_decrease_ < kDecreaseInterval + rtt) return;
    decreased_ = true;
    last_decrease_ = now;
    bound_bps_ = std::min(bound_bps_, target_bps) * (1 - 0.5 * loss_fraction_);
  } else if (loss_fraction_ < kLowLoss && bound_bps_ != kUnbounded) {
    bound_bps_ = bound_bps_ * std::pow(kGrowthPerSecond, elapsed_s) + 1000 * elapsed_s;
    // Once the delay-based estimate is the tighter limit, loss no longer binds.
    if (bound_bps_ >= delay_based_bps) bound_bps_ = kUnbounded;
  }
}

}  // namespace ct::bwe
