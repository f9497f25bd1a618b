// RembEstimator: ramp while loss is low and the estimate is used, hold, drop.
#include "sfu/RembEstimator.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace ct::sfu {
namespace {

const TimePoint t0 = TimePoint{} + seconds(100);

// Sends at `share` of the current estimate for `duration` in 10 ms steps,
// reporting `loss` every second. Returns the time reached.
TimePoint run(RembEstimator& remb, TimePoint start, Duration duration, double share, double loss) {
  TimePoint now = start;
  const TimePoint end = start + duration;
  TimePoint next_report = start + seconds(1);
  while (now < end) {
    const double bytes = double(remb.estimate_bps(now)) * share * 0.010 / 8.0;
    remb.on_packet(size_t(bytes), now);
    now += milliseconds(10);
    if (now >= next_report) {
      remb.on_loss_fraction(loss, now);
      next_report += seconds(1);
    }
  }
  return now;
}

TEST(RembEstimator, StartsAtTheStartRateClamped) {
  EXPECT_EQ(RembEstimator().estimate_bps(t0), 1'000'000u);
  EXPECT_EQ(RembEstimator(50'000, 100'000, 4'000'000).estimate_bps(t0), 100'000u);
  EXPECT_EQ(RembEstimator(9'000'000, 100'000, 4'000'000).estimate_bps(t0), 4'000'000u);
}

TEST(RembEstimator, RampsAboutEightPercentPerSecondWhenUsed) {
  RembEstimator remb;
  const TimePoint end = run(remb, t0, seconds(10), 1.0, 0.0);
  const double expected = 1e6 * std::pow(1.08, 10.0);  // 2.16 Mbps
  EXPECT_NEAR(double(remb.estimate_bps(end)), expected, 0.1 * expected);
  EXPECT_NEAR(double(remb.incoming_bps(end)), double(remb.estimate_bps(end)), 0.15 * expected);
}

TEST(RembEstimator, DoesNotRampWhenTheSenderDoesNotUseIt) {
  RembEstimator remb;
  const TimePoint end = run(remb, t0, seconds(10), 0.2, 0.0);
  EXPECT_EQ(remb.estimate_bps(end), 1'000'000u);
}

TEST(RembEstimator, HoldsBetweenTwoAndTenPercentLoss) {
  RembEstimator remb;
  remb.on_loss_fraction(0.05, t0);
  const TimePoint end = run(remb, t0, seconds(5), 1.0, 0.05);
  EXPECT_EQ(remb.estimate_bps(end), 1'000'000u);
}

TEST(RembEstimator, DropsByHalfTheLossAboveTenPercent) {
  RembEstimator remb;
  remb.on_loss_fraction(0.2, t0);
  EXPECT_EQ(remb.estimate_bps(t0), 900'000u);  // 1 - 0.5 * 0.2
  remb.on_loss_fraction(0.5, t0 + seconds(1));
  EXPECT_EQ(remb.estimate_bps(t0 + seconds(1)), 675'000u);
  remb.on_loss_fraction(0.1, t0 + seconds(2));  // exactly 10%: hold
  EXPECT_EQ(remb.estimate_bps(t0 + seconds(2)), 675'000u);
}

TEST(RembEstimator, NeverBelowMinimumOrAboveMaximum) {
  RembEstimator remb(1'000'000, 300'000, 1'200'000);
  for (int i = 0; i < 20; ++i) remb.on_loss_fraction(1.0, t0 + seconds(i));
  EXPECT_EQ(remb.estimate_bps(t0 + seconds(20)), 300'000u);
  RembEstimator capped(1'000'000, 300'000, 1'200'000);
  const TimePoint end = run(capped, t0, seconds(20), 1.0, 0.0);
  EXPECT_EQ(capped.estimate_bps(end), 1'200'000u);
}

TEST(RembEstimator, RecoversAfterLossEnds) {
  RembEstimator remb;
  remb.on_loss_fraction(0.4, t0);  // 800 kbps
  const TimePoint end = run(remb, t0, seconds(5), 1.0, 0.0);
  EXPECT_GT(remb.estimate_bps(end), 1'000'000u);
}

TEST(RembEstimator, SilenceStopsGrowth) {
  RembEstimator remb;
  const TimePoint end = run(remb, t0, seconds(3), 1.0, 0.0);
  const uint64_t before = remb.estimate_bps(end);
  EXPECT_LT(remb.estimate_bps(end + seconds(60)), uint64_t(double(before) * 1.03));
}

TEST(RembEstimator, IncomingRateOverTheLastSecond) {
  RembEstimator remb;
  for (int i = 0; i < 200; ++i) remb.on_packet(1250, t0 + milliseconds(10) * i);  // 1 Mbps
  EXPECT_NEAR(double(remb.incoming_bps(t0 + milliseconds(1995))), 1e6, 0.11e6);
  EXPECT_EQ(remb.incoming_bps(t0 + seconds(5)), 0u);
}

}  // namespace
}  // namespace ct::sfu
