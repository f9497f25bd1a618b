#include "sfu/RembEstimator.hpp"

#include <algorithm>
#include <cmath>

namespace ct::sfu {

RembEstimator::RembEstimator(uint64_t start_bps, uint64_t min_bps, uint64_t max_bps)
    : min_bps_(double(min_bps)), max_bps_(double(std::max(min_bps, max_bps))) {
  estimate_ = std::clamp(double(start_bps), min_bps_, max_bps_);
}

int64_t RembEstimator::bucket_of(TimePoint now) { return now.time_since_epoch() / kRateBucketLength; }

uint64_t RembEstimator::incoming_bps(TimePoint now) const {
  if (!started_) return 0;
  const int64_t current = bucket_of(now);
  uint64_t bytes = 0;
  for (const Bucket& bucket : buckets_) {
    if (bucket.index > current - kRateBuckets && bucket.index <= current) bytes += bucket.bytes;
  }
  // Before a whole window has passed, divide by the time actually covered.
  const Duration covered =
      std::clamp<Duration>(now - first_packet_at_ + kRateBucketLength, kRateBucketLength, kRateBucketLength * kRateBuckets);
  const double seconds = std::chrono::duration<double>(covered).count();
  return uint64_t(double(bytes) * 8.0 / seconds);
}

double RembEstimator::grown(TimePoint now) const {
  if (!growing_ || now <= updated_at_) return estimate_;
  // Growth was decided at the last update and holds only while packets keep
  // coming to renew the decision (every bucket); a silent stream stops it.
  const Duration elapsed = std::min<Duration>(now - updated_at_, kMaxGrowthWithoutUpdate);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return std::min(estimate_ * std::pow(kGrowthPerSecond, seconds), max_bps_);
}

void RembEstimator::update(TimePoint now) {
  estimate_ = grown(now);
  updated_at_ = now;
  growing_ = loss_ < kLowLoss && double(incoming_bps(now)) >= kNearEstimate * estimate_;
}

void RembEstimator::on_packet(size_t bytes, TimePoint now) {
  if (!started_) {
    started_ = true;
    first_packet_at_ = updated_at_ = now;
  }
  const int64_t index = bucket_of(now);
  Bucket& bucket = buckets_[size_t((index % kRateBuckets + kRateBuckets) % kRateBuckets)];
  const bool new_bucket = bucket.index != index;
  if (new_bucket) bucket = Bucket{index, 0};
  bucket.bytes += bytes;
  // Re-deciding once per bucket keeps pow() and the rate sum off the per-packet path.
  if (new_bucket) update(now);
}

void RembEstimator::on_loss_fraction(double fraction, TimePoint now) {
  estimate_ = grown(now);
  loss_ = std::clamp(fraction, 0.0, 1.0);
  // GCC §6: above 10% loss, As = As * (1 - 0.5 p).
  if (loss_ > kHighLoss) estimate_ = std::max(estimate_ * (1.0 - 0.5 * loss_), min_bps_);
  updated_at_ = now;
  growing_ = loss_ < kLowLoss && double(incoming_bps(now)) >= kNearEstimate * estimate_;
}

uint64_t RembEstimator::estimate_bps(TimePoint now) const { return uint64_t(grown(now)); }

}  // namespace ct::sfu
