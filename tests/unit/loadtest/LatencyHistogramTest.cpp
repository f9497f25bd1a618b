#include <gtest/gtest.h>

#include "loadtest/LatencyHistogram.hpp"

namespace ct::loadtest {
namespace {

TEST(LatencyHistogram, QuantilesAreTheUpperEdgesOfTheirBuckets) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.5), Duration::zero());
  for (int i = 0; i < 99; ++i) h.record(microseconds(250));  // bucket [250, 260)
  h.record(milliseconds(3));
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.quantile(0.5), microseconds(260));
  EXPECT_EQ(h.quantile(0.99), microseconds(260));
  EXPECT_EQ(h.quantile(1.0), microseconds(3010));
}

TEST(LatencyHistogram, PastTenMillisecondsBucketsAreOneMillisecondWide) {
  LatencyHistogram h;
  h.record(microseconds(100'400));  // a shaped link's 100 ms
  EXPECT_EQ(h.quantile(0.5), milliseconds(101));
  h.record(milliseconds(10));
  EXPECT_EQ(h.quantile(0.5), milliseconds(11));
}

TEST(LatencyHistogram, LateSamplesCountInTheLastBucketAndNegativeOnesNotAtAll) {
  LatencyHistogram h;
  h.record(seconds(5));
  h.record(-microseconds(1));
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.quantile(0.5), LatencyHistogram::kRange);
}

TEST(LatencyHistogram, MergingAddsTheSamples) {
  LatencyHistogram a, b;
  a.record(microseconds(5));
  b.record(microseconds(95));
  b.record(microseconds(95));
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.quantile(0.3), microseconds(10));
  EXPECT_EQ(a.quantile(0.5), microseconds(100));
  EXPECT_EQ(a.mean(), microseconds(65));
  EXPECT_EQ(a.max(), microseconds(95));
}

TEST(LatencyHistogram, MeanAndMaxAreExactNotBucketed) {
  LatencyHistogram h;
  EXPECT_EQ(h.mean(), Duration::zero());
  EXPECT_EQ(h.max(), Duration::zero());
  h.record(microseconds(1003));
  h.record(microseconds(2501));
  h.record(seconds(3));        // past the last bucket, still its own value
  h.record(-microseconds(7));  // not counted
  EXPECT_EQ(h.max(), seconds(3));
  EXPECT_EQ(h.mean(), (microseconds(1003) + microseconds(2501) + seconds(3)) / 3);
}

}  // namespace
}  // namespace ct::loadtest
