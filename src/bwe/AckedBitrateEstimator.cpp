#include "bwe/AckedBitrateEstimator.hpp"

#include <algorithm>

namespace ct::bwe {

void AckedBitrateEstimator::on_packet(int64_t arrival_time_us, uint32_t size) {
  if (!started_) {
    started_ = true;
    first_arrival_us_ = newest_arrival_us_ = arrival_time_us;
  }
  newest_arrival_us_ = std::max(newest_arrival_us_, arrival_time_us);
  if (count_ == kCapacity) {
    bytes_ -= ring_[head_].size;
    head_ = (head_ + 1) % kCapacity;
    --count_;
  }
  ring_[(head_ + count_) % kCapacity] = {arrival_time_us, size};
  ++count_;
  bytes_ += size;
  // Drop what fell out of the window (arrivals are nearly ordered; a
  // reordered one leaves with its neighbours).
  while (count_ > 0 && ring_[head_].arrival_time_us <= newest_arrival_us_ - kWindowUs) {
    bytes_ -= ring_[head_].size;
    head_ = (head_ + 1) % kCapacity;
    --count_;
  }
}

std::optional<uint64_t> AckedBitrateEstimator::bitrate_bps() const {
  if (!started_ || count_ == 0) return std::nullopt;
  const int64_t span = std::min(kWindowUs, newest_arrival_us_ - first_arrival_us_);
  if (span < kMinSpanUs) return std::nullopt;
  // A full ring covers less than the window: measure over what it holds.
  const int64_t covered =
      count_ == kCapacity ? std::max<int64_t>(newest_arrival_us_ - ring_[head_].arrival_time_us, 1) : span;
  return uint64_t(double(bytes_) * 8e6 / double(covered));
}

}  // namespace ct::bwe
