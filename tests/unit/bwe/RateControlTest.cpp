// AckedBitrateEstimator, AimdRateController and LossBasedBound: what the
// acked rate reads, how AIMD answers each detector state, and how loss
// bounds the estimate.
#include <gtest/gtest.h>

#include "bwe/AckedBitrateEstimator.hpp"
#include "bwe/AimdRateController.hpp"
#include "bwe/LossBasedBound.hpp"

namespace ct::bwe {
namespace {

const TimePoint t0 = TimePoint{} + seconds(100);

TEST(AckedBitrateEstimator, MeasuresTheWindowBehindTheNewestArrival) {
  AckedBitrateEstimator acked;
  int64_t t = 7'000'000;
  acked.on_packet(t, 1200);
  EXPECT_FALSE(acked.bitrate_bps());
  // 1200 bytes every 4.8 ms: 2 Mbit/s.
  for (int i = 0; i < 400; ++i) acked.on_packet(t += 4'800, 1200);
  ASSERT_TRUE(acked.bitrate_bps());
  EXPECT_NEAR(double(*acked.bitrate_bps()), 2e6, 2e6 * 0.02);
  // Then 1 Mbit/s: after one window only the new rate counts.
  for (int i = 0; i < 120; ++i) acked.on_packet(t += 9'600, 1200);
  EXPECT_NEAR(double(*acked.bitrate_bps()), 1e6, 1e6 * 0.03);
}

TEST(AckedBitrateEstimator, NeedsSomeArrivalTimeBeforeItAnswers) {
  AckedBitrateEstimator acked;
  for (int i = 0; i < 20; ++i) acked.on_packet(i * 5'000, 1200);  // 95 ms
  EXPECT_FALSE(acked.bitrate_bps());
  for (int i = 20; i < 40; ++i) acked.on_packet(i * 5'000, 1200);
  EXPECT_TRUE(acked.bitrate_bps());
}

TEST(AckedBitrateEstimator, AFullRingMeasuresWhatItHolds) {
  AckedBitrateEstimator acked;
  // 100 bytes every 100 µs: 8 Mbit/s, more packets than the ring holds in 500 ms.
  for (int i = 0; i < 6000; ++i) acked.on_packet(i * 100, 100);
  EXPECT_NEAR(double(*acked.bitrate_bps()), 8e6, 8e6 * 0.01);
}

TEST(AimdRateController, GrowsEightPercentASecondWhileNormal) {
  AimdRateController aimd(1e6, 1e5, 1e7);
  for (int i = 0; i <= 10; ++i)
    aimd.update(BandwidthUsage::kNormal, std::nullopt, t0 + milliseconds(100 * i));
  EXPECT_NEAR(aimd.estimate_bps(), 1.08e6, 2e3);
}

TEST(AimdRateController, StaysNearTheAckedRate) {
  AimdRateController aimd(400e3, 1e5, 1e7);
  for (int i = 0; i <= 100; ++i) aimd.update(BandwidthUsage::kNormal, 300e3, t0 + milliseconds(100 * i));
  EXPECT_DOUBLE_EQ(aimd.estimate_bps(), 1.5 * 300e3 + 10e3);
}

TEST(AimdRateController, OveruseCutsToBetaTimesTheAckedRateThenHolds) {
  AimdRateController aimd(2e6, 1e5, 1e7);
  EXPECT_DOUBLE_EQ(aimd.update(BandwidthUsage::kOverusing, 1.5e6, t0), 0.85 * 1.5e6);
  EXPECT_TRUE(aimd.has_decreased());
  EXPECT_TRUE(aimd.link_capacity_bps());
  // Underuse holds while the queue drains.
  EXPECT_DOUBLE_EQ(aimd.update(BandwidthUsage::kUnderusing, 1.5e6, t0 + milliseconds(500)), 0.85 * 1.5e6);
  // Normal resumes growth.
  aimd.update(BandwidthUsage::kNormal, 1.5e6, t0 + milliseconds(600));
  EXPECT_GT(aimd.update(BandwidthUsage::kNormal, 1.5e6, t0 + milliseconds(700)), 0.85 * 1.5e6);
}

TEST(AimdRateController, CutsOncePerRoundTrip) {
  AimdRateController aimd(2e6, 1e5, 1e7);
  aimd.set_rtt(milliseconds(100));
  aimd.update(BandwidthUsage::kOverusing, 1.8e6, t0);
  EXPECT_DOUBLE_EQ(aimd.update(BandwidthUsage::kOverusing, 1.7e6, t0 + milliseconds(20)), 0.85 * 1.8e6);
  EXPECT_DOUBLE_EQ(aimd.update(BandwidthUsage::kOverusing, 1.4e6, t0 + milliseconds(120)), 0.85 * 1.4e6);
}

TEST(AimdRateController, GrowsAdditivelyNearTheLearntCapacity) {
  AimdRateController far(1e6, 1e5, 1e7);
  AimdRateController near(1e6, 1e5, 1e7);
  near.update(BandwidthUsage::kOverusing, 1.2e6, t0);  // learns ~1.2 Mbit/s, drops to 1.02
  const double start = near.estimate_bps();
  for (int i = 1; i <= 10; ++i) {
    near.update(BandwidthUsage::kNormal, 1.2e6, t0 + milliseconds(100 * i));
    far.update(BandwidthUsage::kNormal, 1.2e6, t0 + milliseconds(100 * i));
  }
  EXPECT_TRUE(near.near_max());
  const double additive = near.estimate_bps() - start;
  EXPECT_GT(additive, 4e3);
  EXPECT_LT(additive, 0.5 * (far.estimate_bps() - 1e6));
}

TEST(AimdRateController, ProbeResultsOnlyRaiseAndBoundsHold) {
  AimdRateController aimd(1e6, 2e5, 3e6);
  aimd.on_probe_result(2.5e6, t0);
  EXPECT_DOUBLE_EQ(aimd.estimate_bps(), 2.5e6);
  aimd.on_probe_result(1e6, t0);
  EXPECT_DOUBLE_EQ(aimd.estimate_bps(), 2.5e6);
  aimd.on_probe_result(9e6, t0);
  EXPECT_DOUBLE_EQ(aimd.estimate_bps(), 3e6);
  aimd.update(BandwidthUsage::kOverusing, 1e5, t0 + seconds(1));
  EXPECT_DOUBLE_EQ(aimd.estimate_bps(), 2e5);
}

TEST(LossBasedBound, ModerateLossDoesNotBind) {
  LossBasedBound loss;
  for (int i = 1; i <= 10; ++i) {
    loss.on_packets(95, 5);
    loss.update(t0 + seconds(i), 1e6, 1e6, milliseconds(100));
  }
  EXPECT_EQ(loss.bound_bps(), LossBasedBound::kUnbounded);
  EXPECT_DOUBLE_EQ(loss.loss_fraction(), 0.05);
}

TEST(LossBasedBound, HeavyLossCutsThenLowLossLiftsTheBound) {
  LossBasedBound loss;
  loss.on_packets(80, 20);
  loss.update(t0, 1e6, 1e6, milliseconds(100));
  EXPECT_DOUBLE_EQ(loss.bound_bps(), 1e6 * (1 - 0.5 * 0.2));
  // Too few packets: nothing judged.
  loss.on_packets(5, 0);
  loss.update(t0 + seconds(1), 0.9e6, 1e6, milliseconds(100));
  EXPECT_DOUBLE_EQ(loss.bound_bps(), 0.9e6);
  // Low loss: +8% a second until the delay-based estimate is the limit.
  loss.on_packets(100, 0);
  loss.update(t0 + seconds(2), 0.9e6, 1e6, milliseconds(100));
  EXPECT_NEAR(loss.bound_bps(), 0.9e6 * 1.08 + 1000, 1);
  loss.on_packets(100, 0);
  loss.update(t0 + seconds(3), 0.97e6, 1e6, milliseconds(100));
  EXPECT_EQ(loss.bound_bps(), LossBasedBound::kUnbounded);
}

TEST(LossBasedBound, LossBetweenTwoAndTenPercentHolds) {
  LossBasedBound loss;
  loss.on_packets(50, 50);
  loss.update(t0, 1e6, 1e6, milliseconds(100));
  const double bound = loss.bound_bps();
  loss.on_packets(94, 6);
  loss.update(t0 + seconds(1), bound, 1e6, milliseconds(100));
  EXPECT_DOUBLE_EQ(loss.bound_bps(), bound);
}

}  // namespace
}  // namespace ct::bwe
