#include "bwe/AimdRateController.hpp"

#include <algorithm>
#include <cmath>

namespace ct::bwe {

void AimdRateController::LinkCapacity::update(double sample_kbps, double alpha) {
  if (!known) {
    known = true;
    estimate_kbps = sample_kbps;
  } else {
    estimate_kbps = (1 - alpha) * estimate_kbps + alpha * sample_kbps;
  }
  // Variance normalised by the estimate, kept within [0.4, 2.5].
  const double error = estimate_kbps - sample_kbps;
  deviation = (1 - alpha) * deviation + alpha * error * error / std::max(estimate_kbps, 1.0);
  deviation = std::clamp(deviation, 0.4, 2.5);
}

double AimdRateController::LinkCapacity::deviation_kbps() const {
  return std::sqrt(deviation * estimate_kbps);
}

AimdRateController::AimdRateController(double start_bps, double min_bps, double max_bps)
    : estimate_bps_(start_bps), min_bps_(min_bps), max_bps_(max_bps) {
  estimate_bps_ = clamp(start_bps);
}

void AimdRateController::set_bounds(double min_bps, double max_bps) {
  min_bps_ = min_bps;
  max_bps_ = max_bps;
  estimate_bps_ = clamp(estimate_bps_);
}

double AimdRateController::clamp(double bps) const {
  return std::clamp(bps, min_bps_, std::max(min_bps_, max_bps_));
}

bool AimdRateController::near_max() const {
  // The capacity learnt at over-use is forgotten once the acked rate leaves
  // its spread, so while it is known the estimate is close to the link's.
  return capacity_.known;
}

std::optional<double> AimdRateController::link_capacity_bps() const {
  if (!capacity_.known) return std::nullopt;
  return capacity_.estimate_kbps * 1000;
}

void AimdRateController::change_state(BandwidthUsage usage) {
  switch (usage) {
    case BandwidthUsage::kNormal:
      if (state_ == State::kHold) state_ = State::kIncrease;
      break;
    case BandwidthUsage::kOverusing:
      state_ = State::kDecrease;
      break;
    case BandwidthUsage::kUnderusing:
      // The queue is draining: let it drain before growing again.
      state_ = State::kHold;
      break;
  }
}

double AimdRateController::additive_increase_bps(double elapsed_s) const {
  // One average packet per response time, for a 30 fps stream at the
  // current rate cut into packets of at most 1200 bytes.
  const double frame_bits = estimate_bps_ / 30;
  const double packets_per_frame = std::ceil(frame_bits / (1200 * 8));
  const double packet_bits = frame_bits / packets_per_frame;
  const double response_s = std::chrono::duration<double>(rtt_).count() + 0.1;
  return std::max(kMinAdditiveBpsPerSecond, packet_bits / response_s) * elapsed_s;
}

bool AimdRateController::time_to_reduce_further(std::optional<double> acked_bps, TimePoint now) const {
  if (!has_decreased_) return true;
  // One decrease per RTT (10-200 ms), unless the acked rate fell below half the estimate.
  const Duration interval = std::clamp<Duration>(rtt_, milliseconds(10), milliseconds(200));
  if (now - last_decrease_ >= interval) return true;
  return acked_bps && *acked_bps < 0.5 * estimate_bps_;
}

double AimdRateController::update(BandwidthUsage usage, std::optional<double> acked_bps, TimePoint now) {
  if (usage == BandwidthUsage::kOverusing && !time_to_reduce_further(acked_bps, now)) return estimate_bps_;
  const double elapsed_s =
      updated_ ? std::min(std::chrono::duration<double>(now - last_update_).count(), 1.0) : 0.0;
  updated_ = true;
  last_update_ = now;
  change_state(usage);

  switch (state_) {
    case State::kHold:
      break;
    case State::kIncrease: {
      // Acked above what we thought the link held: the link changed.
      if (acked_bps && capacity_.known && *acked_bps / 1000 > capacity_.upper_kbps()) capacity_ = {};
      double increased = estimate_bps_;
      if (near_max()) {
        increased += additive_increase_bps(elapsed_s);
      } else {
        increased += std::max(estimate_bps_ * (std::pow(kGrowthPerSecond, elapsed_s) - 1), 1000 * elapsed_s);
      }
      // Do not run ahead of what the receiver sees (but never lower it here).
      if (acked_bps)
        increased =
            std::min(increased, std::max(estimate_bps_, kAckedHeadroom * *acked_bps + kAckedHeadroomBps));
      estimate_bps_ = increased;
      break;
    }
    case State::kDecrease: {
      if (acked_bps) {
        double decreased = kBeta * *acked_bps;
        // Above the current estimate the acked rate is stale: use the
        // capacity we learnt, if lower.
        if (decreased > estimate_bps_ && capacity_.known) decreased = kBeta * capacity_.estimate_kbps * 1000;
        estimate_bps_ = std::min(estimate_bps_, decreased);
        if (capacity_.known && *acked_bps / 1000 < capacity_.lower_kbps()) capacity_ = {};
        capacity_.update(*acked_bps / 1000, 0.05);
      } else {
        estimate_bps_ *= kBeta;
      }
      has_decreased_ = true;
      last_decrease_ = now;
      state_ = State::kHold;
      break;
    }
  }
  estimate_bps_ = clamp(estimate_bps_);
  return estimate_bps_;
}

void AimdRateController::on_probe_result(double bps, TimePoint now) {
  if (bps > estimate_bps_) estimate_bps_ = clamp(bps);
  updated_ = true;
  last_update_ = now;
}

}  // namespace ct::bwe
