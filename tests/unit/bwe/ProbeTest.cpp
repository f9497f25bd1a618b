// ProbeCluster and ProbeController: what a probe measures from its
// feedback, and when probes are planned.
#include <gtest/gtest.h>

#include <vector>

#include "bwe/ProbeCluster.hpp"
#include "bwe/ProbeController.hpp"

namespace ct::bwe {
namespace {

const TimePoint t0 = TimePoint{} + seconds(100);

// `count` packets of 1200 bytes sent every `send_gap_us`, arriving every `arrival_gap_us`.
// Sends one packet of every planned cluster at `now` (what starts its timeout).
void start_sending(ProbeController& controller, TimePoint now) {
  std::vector<int32_t> ids;
  for (const ProbeCluster& p : controller.probe_plan()) ids.push_back(p.id());
  for (int32_t id : ids) controller.on_probe_sent(id, 1200, now);
}

PacketResult probe_packet(int32_t cluster, int i, int64_t send_gap_us, int64_t arrival_gap_us) {
  return {i, 1'000'000 + i * send_gap_us, 9'000'000 + i * arrival_gap_us, 1200, cluster, true};
}

TEST(ProbeCluster, NeedsItsMinimumPacketsAndFifteenMillisecondsOfBytes) {
  ProbeCluster cluster(3, 4e6, t0);
  EXPECT_EQ(cluster.min_bytes(), 7500u);
  for (int i = 0; i < 6; ++i) cluster.on_sent(1200, t0);
  EXPECT_FALSE(cluster.fully_sent());
  cluster.on_sent(1200, t0);
  EXPECT_TRUE(cluster.fully_sent());
}

TEST(ProbeCluster, ThroughARoomyPathMeasuresTheSendRate) {
  ProbeCluster cluster(0, 2e6, t0);
  for (int i = 0; i < 6; ++i) cluster.on_result(probe_packet(0, i, 4'800, 4'800));
  ASSERT_TRUE(cluster.result_bps());
  EXPECT_NEAR(*cluster.result_bps(), 2e6, 1e3);
}

TEST(ProbeCluster, ThroughANarrowPathMeasuresMostOfTheReceiveRate) {
  ProbeCluster cluster(0, 2e6, t0);
  for (int i = 0; i < 6; ++i) cluster.on_result(probe_packet(0, i, 4'800, 9'600));
  ASSERT_TRUE(cluster.result_bps());
  EXPECT_NEAR(*cluster.result_bps(), 0.95 * 1e6, 1e3);
}

TEST(ProbeCluster, TooFewReceivedOrImplausibleArrivalsGiveNoResult) {
  ProbeCluster lossy(0, 2e6, t0);
  for (int i = 0; i < 6; ++i) {
    PacketResult result = probe_packet(0, i, 4'800, 4'800);
    result.received = i % 2 == 0;
    lossy.on_result(result);
  }
  EXPECT_FALSE(lossy.result_bps());

  ProbeCluster bunched(0, 2e6, t0);
  for (int i = 0; i < 6; ++i) bunched.on_result(probe_packet(0, i, 4'800, 1'000));
  EXPECT_FALSE(bunched.result_bps());
}

// Sends every pending cluster in full, then feeds results at `arrival_gap_us`.
std::optional<double> run_cluster(ProbeController& controller, const ProbeCluster& cluster,
                                  int64_t arrival_gap_us, double estimate_bps, TimePoint now) {
  const int64_t send_gap_us = int64_t(1200 * 8e6 / cluster.target_bps());
  int packets = 0;
  while (true) {
    const auto plan = controller.probe_plan();
    bool still = false;
    for (const ProbeCluster& p : plan) still |= p.id() == cluster.id();
    if (!still) break;
    controller.on_probe_sent(cluster.id(), 1200, now);
    ++packets;
  }
  std::optional<double> result;
  for (int i = 0; i < packets; ++i) {
    PacketResult r =
        probe_packet(cluster.id(), i, send_gap_us, arrival_gap_us ? arrival_gap_us : send_gap_us);
    if (auto measured = controller.on_result(r, estimate_bps, now)) result = measured;
  }
  return result;
}

TEST(ProbeController, StartsWithTwoAndFourTimesTheStartRate) {
  ProbeController controller(10e6);
  controller.start(300e3, t0);
  const auto plan = controller.probe_plan();
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_DOUBLE_EQ(plan[0].target_bps(), 600e3);
  EXPECT_DOUBLE_EQ(plan[1].target_bps(), 1.2e6);
  EXPECT_NE(plan[0].id(), plan[1].id());
}

TEST(ProbeController, KeepsProbingWhileProbesFindRoomAndStopsAtTheWantedRate) {
  ProbeController controller(2e6);
  controller.start(300e3, t0);
  const ProbeCluster first = controller.probe_plan()[0];
  const ProbeCluster second = controller.probe_plan()[1];
  const auto r1 = run_cluster(controller, first, 0, 300e3, t0);
  ASSERT_TRUE(r1);
  EXPECT_NEAR(*r1, 600e3, 10e3);
  // No further probe while the second is out.
  ASSERT_EQ(controller.probe_plan().size(), 1u);
  EXPECT_EQ(controller.probe_plan()[0].id(), second.id());
  const auto r2 = run_cluster(controller, second, 0, *r1, t0);
  ASSERT_TRUE(r2);
  ASSERT_EQ(controller.probe_plan().size(), 1u);
  EXPECT_DOUBLE_EQ(controller.probe_plan()[0].target_bps(),
                   2e6);  // 2 × 1.2 Mbit/s, capped at the wanted rate
  const auto r3 = run_cluster(controller, controller.probe_plan()[0], 0, *r2, t0);
  ASSERT_TRUE(r3);
  EXPECT_TRUE(controller.probe_plan().empty());  // reached the wanted rate
  EXPECT_EQ(controller.counters().succeeded, 3u);
}

TEST(ProbeController, AProbeThatFindsNoRoomEndsProbing) {
  ProbeController controller(10e6);
  controller.start(1e6, t0);
  controller.probe_plan();
  const ProbeCluster first = controller.probe_plan()[0];
  const ProbeCluster second = controller.probe_plan()[1];
  run_cluster(controller, first, 9'600 * 2, 1e6, t0);
  const auto result = run_cluster(controller, second, 9'600 * 4, 1e6, t0);  // 4 Mbit/s probe through 1 Mbit/s
  ASSERT_TRUE(result);
  EXPECT_LT(*result, 0.7 * 4e6);
  EXPECT_TRUE(controller.probe_plan().empty());
}

TEST(ProbeController, ProbesPeriodicallyOnlyBelowTheWantedRateAndWithoutCongestion) {
  ProbeController controller(3e6);
  controller.on_estimate(1e6, false, t0);
  ASSERT_EQ(controller.probe_plan().size(), 1u);
  EXPECT_DOUBLE_EQ(controller.probe_plan()[0].target_bps(), 2e6);
  start_sending(controller, t0);
  // It never finishes: it times out, and the next one waits for the interval.
  controller.on_estimate(1e6, false, t0 + ProbeController::kClusterTimeout);
  EXPECT_EQ(controller.counters().timed_out, 1u);
  EXPECT_TRUE(controller.probe_plan().empty());
  controller.on_estimate(1e6, true, t0 + ProbeController::kPeriodicInterval);
  EXPECT_TRUE(controller.probe_plan().empty());  // congested
  controller.on_estimate(3e6, false, t0 + ProbeController::kPeriodicInterval);
  EXPECT_TRUE(controller.probe_plan().empty());  // nothing more wanted
  controller.on_estimate(1e6, false, t0 + ProbeController::kPeriodicInterval);
  EXPECT_EQ(controller.probe_plan().size(), 1u);
}

TEST(ProbeController, AfterALargeDropProbesForMostOfTheOldRateOnceCongestionClears) {
  ProbeController controller(10e6);
  controller.on_estimate(2e6, false, t0);  // a periodic probe is planned; let it time out
  start_sending(controller, t0);
  controller.on_estimate(2e6, true, t0 + ProbeController::kClusterTimeout);
  controller.on_estimate(0.8e6, true, t0 + seconds(3));  // a drop of 60%, while congested
  EXPECT_TRUE(controller.probe_plan().empty());
  controller.on_estimate(0.8e6, false, t0 + seconds(4));  // long before the periodic interval
  ASSERT_EQ(controller.probe_plan().size(), 1u);
  EXPECT_DOUBLE_EQ(controller.probe_plan()[0].target_bps(), ProbeController::kRecoveryShare * 2e6);
  EXPECT_EQ(controller.counters().recoveries, 1u);
}

TEST(ProbeController, ASmallDropIsNoReasonToProbe) {
  ProbeController controller(10e6);
  controller.on_estimate(2e6, false, t0);
  start_sending(controller, t0);
  controller.on_estimate(2e6, true, t0 + ProbeController::kClusterTimeout);
  controller.on_estimate(1.7e6, false, t0 + seconds(3));
  EXPECT_TRUE(controller.probe_plan().empty());
  EXPECT_EQ(controller.counters().recoveries, 0u);
}

TEST(ProbeController, AClusterNothingCouldBeSentOfWaitsForItsFirstPacket) {
  // The start probes are planned when the connection is made; the video to
  // pad on may come seconds later (audio's feedback first).
  ProbeController controller(10e6);
  controller.start(300e3, t0);
  controller.on_estimate(300e3, false, t0 + seconds(4));
  ASSERT_EQ(controller.probe_plan().size(), 2u);
  EXPECT_EQ(controller.counters().timed_out, 0u);
  // The first video: the first cluster goes out, and has kClusterTimeout from then.
  const TimePoint video = t0 + seconds(4);
  controller.on_probe_sent(controller.probe_plan()[0].id(), 1200, video);
  controller.on_estimate(300e3, false, video + ProbeController::kClusterTimeout - milliseconds(1));
  EXPECT_EQ(controller.counters().timed_out, 0u);
  controller.on_estimate(300e3, false, video + ProbeController::kClusterTimeout);
  EXPECT_EQ(controller.counters().timed_out, 1u);
  // One never sent is given up after kUnsentTimeout.
  controller.on_estimate(300e3, false, t0 + ProbeController::kUnsentTimeout);
  EXPECT_EQ(controller.counters().timed_out, 2u);
}

TEST(ProbeController, ResultsForUnknownClustersAreCounted) {
  ProbeController controller(3e6);
  EXPECT_FALSE(controller.on_result(probe_packet(42, 0, 1, 1), 1e6, t0));
  EXPECT_EQ(controller.counters().unknown_results, 1u);
}

}  // namespace
}  // namespace ct::bwe
