#include "core/BucketHistogram.hpp"

#include <stdexcept>

namespace ct {

BucketHistogram::BucketHistogram(std::span<const double> bounds) : bounds_(bounds) {
  if (bounds.size() > kMaxBounds) throw std::invalid_argument("histogram: too many bounds");
  for (size_t i = 1; i < bounds.size(); ++i)
    if (!(bounds[i - 1] < bounds[i])) throw std::invalid_argument("histogram: bounds must ascend");
}

void BucketHistogram::observe(double value) {
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  ++counts_[bucket];
  ++count_;
  sum_ += value;
}

BucketHistogram& BucketHistogram::operator+=(const BucketHistogram& other) {
  if (other.count_ == 0 && other.bounds_.empty()) return *this;
  if (bounds_.empty() && count_ == 0) {
    bounds_ = other.bounds_;
  } else if (bounds_.data() != other.bounds_.data() || bounds_.size() != other.bounds_.size()) {
    throw std::invalid_argument("histogram: adding one over other bounds");
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  return *this;
}

}  // namespace ct
