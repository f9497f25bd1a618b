// InterArrivalGroups, TrendlineEstimator and OveruseDetector: groups form
// from bursts, a growing queue shows as a positive trend, and the adaptive
// threshold turns the trend into normal / overusing / underusing.
#include <gtest/gtest.h>

#include <vector>

#include "bwe/InterArrivalGroups.hpp"
#include "bwe/OveruseDetector.hpp"
#include "bwe/TrendlineEstimator.hpp"

namespace ct::bwe {
namespace {

TEST(InterArrivalGroups, SpacedPacketsEachFormAGroup) {
  InterArrivalGroups groups;
  EXPECT_FALSE(groups.on_packet(0, 1'000'000));
  EXPECT_FALSE(groups.on_packet(10'000, 1'010'000));  // completes group 1, no predecessor
  const auto delta = groups.on_packet(20'000, 1'021'000);
  ASSERT_TRUE(delta);
  EXPECT_EQ(delta->send_delta_us, 10'000);
  EXPECT_EQ(delta->arrival_delta_us, 10'000);
  EXPECT_EQ(delta->arrival_time_us, 1'010'000);
  const auto next = groups.on_packet(30'000, 1'031'000);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->arrival_delta_us, 11'000);
}

TEST(InterArrivalGroups, PacketsSentWithinFiveMillisecondsShareAGroup) {
  InterArrivalGroups groups;
  for (int64_t t : {0, 1'000, 2'000, 4'000}) EXPECT_FALSE(groups.on_packet(t, 500'000 + t));
  EXPECT_FALSE(groups.on_packet(20'000, 520'000));
  for (int64_t t : {21'000, 23'000}) EXPECT_FALSE(groups.on_packet(t, 500'000 + t + 3'000));
  const auto delta = groups.on_packet(40'000, 540'000);
  ASSERT_TRUE(delta);
  EXPECT_EQ(delta->send_delta_us, 23'000 - 4'000);  // last send of each group
  EXPECT_EQ(delta->arrival_delta_us, 526'000 - 504'000);
}

TEST(InterArrivalGroups, PacketsReleasedTogetherJoinTheBurst) {
  InterArrivalGroups groups;
  groups.on_packet(0, 100'000);
  // Sent 10 ms later but arriving 1 ms after: queued, then released with it.
  EXPECT_FALSE(groups.on_packet(10'000, 101'000));
  EXPECT_FALSE(groups.on_packet(30'000, 130'000));
  const auto delta = groups.on_packet(50'000, 150'000);
  ASSERT_TRUE(delta);
  EXPECT_EQ(delta->send_delta_us, 20'000);  // the group's last send was 10'000
  EXPECT_EQ(delta->arrival_delta_us, 29'000);
}

TEST(InterArrivalGroups, ReorderedGroupsStartOver) {
  InterArrivalGroups groups;
  groups.on_packet(0, 100'000);
  groups.on_packet(10'000, 110'000);
  EXPECT_TRUE(groups.on_packet(20'000, 90'000));    // arrives before the previous group
  EXPECT_FALSE(groups.on_packet(30'000, 130'000));  // which this shows: no delta across it
  EXPECT_EQ(groups.resets(), 1u);
  EXPECT_FALSE(groups.on_packet(5'000, 200'000));  // sent before the current group: skipped
}

TEST(TrendlineEstimator, ConstantDelayHasNoTrend) {
  TrendlineEstimator trendline;
  for (int i = 1; i <= 100; ++i) trendline.update(10'000, 10'000, i * 10'000);
  EXPECT_DOUBLE_EQ(trendline.trend(), 0);
}

TEST(TrendlineEstimator, GrowingQueueHasAPositiveTrend) {
  TrendlineEstimator trendline;
  int64_t arrival = 0;
  for (int i = 1; i < int(TrendlineEstimator::kWindow); ++i) {
    arrival += 11'000;
    trendline.update(11'000, 10'000, arrival);
    EXPECT_EQ(trendline.trend(), 0);  // the window is not full yet
  }
  for (int i = 0; i < 100; ++i) {
    arrival += 11'000;
    trendline.update(11'000, 10'000, arrival);
  }
  // 1 ms more delay every 11 ms of arrival.
  EXPECT_NEAR(trendline.trend(), 1.0 / 11, 0.01);
  EXPECT_GT(trendline.modified_trend(), OveruseDetector::kInitialThresholdMs);
}

TEST(TrendlineEstimator, DrainingQueueHasANegativeTrend) {
  TrendlineEstimator trendline;
  for (int i = 1; i <= 60; ++i) trendline.update(9'000, 10'000, i * 9'000);
  EXPECT_LT(trendline.trend(), -0.05);
}

TEST(OveruseDetector, SustainedGrowingTrendIsOveruse) {
  OveruseDetector detector;
  EXPECT_EQ(detector.detect(0.1, 20, 5, 0), BandwidthUsage::kNormal);   // one sample is not enough
  EXPECT_EQ(detector.detect(0.11, 22, 5, 5), BandwidthUsage::kNormal);  // 7.5 ms over is not enough
  EXPECT_EQ(detector.detect(0.12, 24, 5, 10), BandwidthUsage::kOverusing);
}

TEST(OveruseDetector, ShrinkingTrendAboveThresholdIsNotOveruse) {
  OveruseDetector detector;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(detector.detect(0.2 - 0.01 * i, 20, 10, i * 10), BandwidthUsage::kNormal);
  }
}

TEST(OveruseDetector, NegativeTrendBeyondThresholdIsUnderuse) {
  OveruseDetector detector;
  EXPECT_EQ(detector.detect(-0.1, -20, 10, 0), BandwidthUsage::kUnderusing);
  EXPECT_EQ(detector.detect(0, 0, 10, 10), BandwidthUsage::kNormal);
}

TEST(OveruseDetector, ThresholdFollowsTheTrendAndIgnoresSpikes) {
  OveruseDetector detector;
  // |m| = 8 for 5 s: γ falls from 12.5 toward 8 (K_d).
  for (int i = 0; i <= 500; ++i) detector.detect(0, 8, 10, i * 10);
  EXPECT_NEAR(detector.threshold_ms(), 8, 0.1);
  // A spike far above γ leaves it alone.
  detector.detect(1, 100, 10, 5010);
  EXPECT_NEAR(detector.threshold_ms(), 8, 0.1);
  // Small trends cannot pull γ below its floor.
  for (int i = 0; i <= 500; ++i) detector.detect(0, 1, 10, 5020 + i * 10);
  EXPECT_DOUBLE_EQ(detector.threshold_ms(), OveruseDetector::kMinThresholdMs);
  // |m| = 20 just above γ: γ rises slowly (K_u) toward it.
  detector.detect(0.5, 20, 10, 10'100);
  detector.detect(0.5, 20, 10, 10'200);
  EXPECT_GT(detector.threshold_ms(), OveruseDetector::kMinThresholdMs);
  EXPECT_LT(detector.threshold_ms(), 20);
}

TEST(OveruseDetector, ReceiverClockSteppingBackAdaptsNothing) {
  OveruseDetector detector;
  detector.detect(0, 8, 10, 10'000);
  const double threshold = detector.threshold_ms();
  detector.detect(0, 8, 10, 5'000);
  EXPECT_DOUBLE_EQ(detector.threshold_ms(), threshold);
}

}  // namespace
}  // namespace ct::bwe
