#pragma once
// A histogram over fixed bucket bounds, as Prometheus exposes one (the
// writer turns the counts into cumulative `le` buckets): a count per bucket,
// the number of observations and their sum. A plain value of fixed size:
// observing allocates nothing and takes a few comparisons, so the media path
// can keep one; one thread writes it, and a copy travels to whoever renders.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ct {

class BucketHistogram {
 public:
  static constexpr size_t kMaxBounds = 15;

  BucketHistogram() = default;
  // `bounds` ascending, at most kMaxBounds, and of static storage duration
  // (the histogram keeps a view of them, so copies stay cheap).
  explicit BucketHistogram(std::span<const double> bounds);

  // counts()[i] counts values in (bounds[i-1], bounds[i]]; the last, those above every bound.
  void observe(double value);
  std::span<const double> bounds() const { return bounds_; }
  std::span<const uint64_t> counts() const { return {counts_.data(), bounds_.size() + 1}; }
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

  // Adds another histogram over the same bounds (a default-made one takes
  // the other's bounds); one over other bounds is a programming error and throws.
  BucketHistogram& operator+=(const BucketHistogram& other);

 private:
  std::span<const double> bounds_;
  std::array<uint64_t, kMaxBounds + 1> counts_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace ct
