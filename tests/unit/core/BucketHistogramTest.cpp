#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "core/BucketHistogram.hpp"

namespace ct {
namespace {

constexpr std::array<double, 3> kBounds = {0.001, 0.01, 0.1};

std::vector<uint64_t> counts_of(const BucketHistogram& h) { return {h.counts().begin(), h.counts().end()}; }

TEST(BucketHistogramTest, ValuesFallInTheFirstBucketWhoseBoundHoldsThem) {
  BucketHistogram h(kBounds);
  h.observe(0.0005);  // under the first bound
  h.observe(0.001);   // on a bound: counted there (le is inclusive)
  h.observe(0.005);
  h.observe(0.1);
  h.observe(3.0);  // above every bound
  EXPECT_EQ(counts_of(h), (std::vector<uint64_t>{2, 1, 1, 1}));
  EXPECT_EQ(h.count(), 5u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.0005 + 0.001 + 0.005 + 0.1 + 3.0);
}

TEST(BucketHistogramTest, AddingSumsBucketsCountsAndSums) {
  BucketHistogram a(kBounds), b(kBounds);
  a.observe(0.002);
  b.observe(0.002);
  b.observe(0.5);
  BucketHistogram total;  // default-made: takes the bounds of what is added
  total += a;
  total += b;
  EXPECT_EQ(total.bounds().size(), 3u);
  EXPECT_EQ(counts_of(total), (std::vector<uint64_t>{0, 2, 0, 1}));
  EXPECT_EQ(total.count(), 3u);
  EXPECT_DOUBLE_EQ(total.sum(), 0.504);
}

TEST(BucketHistogramTest, RefusesBoundsThatDoNotAscendAndAddingOtherBounds) {
  static constexpr std::array<double, 2> kDescending = {0.1, 0.01};
  EXPECT_THROW(BucketHistogram{kDescending}, std::invalid_argument);
  static constexpr std::array<double, 2> kOther = {1, 2};
  BucketHistogram a(kBounds), b(kOther);
  b.observe(1);
  EXPECT_THROW(a += b, std::invalid_argument);
}

}  // namespace
}  // namespace ct
