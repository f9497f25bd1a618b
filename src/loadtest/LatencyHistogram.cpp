#include "loadtest/LatencyHistogram.hpp"

#include <algorithm>
#include <cmath>

namespace ct::loadtest {

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

void LatencyHistogram::record(Duration latency) {
  if (latency < Duration::zero()) return;
  const auto index = std::min<int64_t>(latency / kBucket, int64_t(kBuckets) - 1);
  ++buckets_[size_t(index)];
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

Duration LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return Duration::zero();
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the q-quantile: at least 1, at most every sample.
  const auto rank = std::max<uint64_t>(1, uint64_t(std::ceil(q * double(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return kBucket * int64_t(i + 1);
  }
  return kBucket * int64_t(kBuckets);
}

}  // namespace ct::loadtest
