#include "loadtest/LatencyHistogram.hpp"

#include <algorithm>
#include <cmath>

namespace ct::loadtest {

namespace {
constexpr size_t kFineBuckets = size_t(LatencyHistogram::kFineRange / LatencyHistogram::kFineBucket);
constexpr size_t kBuckets = kFineBuckets + size_t((LatencyHistogram::kRange - LatencyHistogram::kFineRange) /
                                                  LatencyHistogram::kCoarseBucket);
}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

size_t LatencyHistogram::bucket_of(Duration latency) {
  if (latency < kFineRange) return size_t(latency / kFineBucket);
  return std::min(kBuckets - 1, kFineBuckets + size_t((latency - kFineRange) / kCoarseBucket));
}

Duration LatencyHistogram::upper_edge(size_t bucket) {
  if (bucket < kFineBuckets) return kFineBucket * int64_t(bucket + 1);
  return kFineRange + kCoarseBucket * int64_t(bucket - kFineBuckets + 1);
}

void LatencyHistogram::record(Duration latency) {
  if (latency < Duration::zero()) return;
  ++buckets_[bucket_of(latency)];
  ++count_;
  sum_ += latency;
  max_ = std::max(max_, latency);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

Duration LatencyHistogram::mean() const { return count_ ? sum_ / int64_t(count_) : Duration::zero(); }

Duration LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return Duration::zero();
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the q-quantile: at least 1, at most every sample.
  const auto rank = std::max<uint64_t>(1, uint64_t(std::ceil(q * double(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return upper_edge(i);
  }
  return kRange;
}

}  // namespace ct::loadtest
