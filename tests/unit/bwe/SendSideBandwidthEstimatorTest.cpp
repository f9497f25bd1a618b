// SendSideBandwidthEstimator as its owner uses it: configuration, start
// probes, feedback that cannot be matched, and no allocation per packet or
// per feedback once running.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "FeedbackWriter.hpp"
#include "bwe/SendSideBandwidthEstimator.hpp"

// Counts allocations made while `counting` is set (this test binary only).
namespace {
std::atomic<bool> counting{false};
std::atomic<size_t> allocations{0};
}  // namespace

void* operator new(size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace ct::bwe {
namespace {

using test::parse_feedback;
using test::write_feedback;

const TimePoint t0 = TimePoint{} + seconds(100);

TEST(SendSideBandwidthEstimator, StartsAtTheStartRateAndPlansStartProbes) {
  SendSideBandwidthEstimator estimator({100'000, 500'000, 3'000'000}, t0);
  EXPECT_EQ(estimator.target_bitrate(), 500'000u);
  ASSERT_EQ(estimator.probe_plan().size(), 2u);
  EXPECT_DOUBLE_EQ(estimator.probe_plan()[0].target_bps(), 1e6);
  EXPECT_DOUBLE_EQ(estimator.probe_plan()[1].target_bps(), 2e6);
}

TEST(SendSideBandwidthEstimator, AStartRateOutsideTheBoundsIsClamped) {
  SendSideBandwidthEstimator estimator({100'000, 9'000'000, 2'000'000}, t0);
  EXPECT_EQ(estimator.target_bitrate(), 2'000'000u);
  EXPECT_TRUE(estimator.probe_plan().empty() || estimator.probe_plan()[0].target_bps() <= 2e6);
}

TEST(SendSideBandwidthEstimator, ProbePacketsCountTowardsTheirCluster) {
  SendSideBandwidthEstimator estimator({100'000, 300'000, 3'000'000}, t0);
  const int32_t first = estimator.probe_plan()[0].id();
  for (int i = 0; i < 5; ++i) estimator.on_packet_sent(1200, t0, first);
  ASSERT_EQ(estimator.probe_plan().size(), 1u);
  EXPECT_NE(estimator.probe_plan()[0].id(), first);
}

TEST(SendSideBandwidthEstimator, UnmatchedFeedbackChangesNothing) {
  SendSideBandwidthEstimator estimator({100'000, 300'000, 3'000'000}, t0);
  for (int i = 0; i < 10; ++i) estimator.on_packet_sent(1200, t0 + milliseconds(i));
  const auto bytes = write_feedback(1000, {0, 1000, 2000});
  estimator.on_feedback(parse_feedback(bytes), t0 + milliseconds(100));
  EXPECT_EQ(estimator.target_bitrate(), 300'000u);
  EXPECT_EQ(estimator.history_counters().unknown, 3u);
}

TEST(SendSideBandwidthEstimator, ClearLinkFeedbackRaisesTheEstimate) {
  SendSideBandwidthEstimator estimator({100'000, 300'000, 1'000'000}, t0);
  estimator.set_wanted_bitrate(300'000);  // no probes: growth alone
  int64_t sent = 0;
  for (int round = 0; round < 40; ++round) {
    std::vector<std::optional<int64_t>> arrivals;
    const uint16_t base = uint16_t(sent);
    for (int i = 0; i < 5; ++i, ++sent) {
      estimator.on_packet_sent(1200, t0 + microseconds(sent * 20'000));
      arrivals.push_back(50'000 + sent * 20'000);  // constant delay
    }
    const auto bytes = write_feedback(base, arrivals, uint8_t(round));
    estimator.on_feedback(parse_feedback(bytes), t0 + microseconds(sent * 20'000 + 40'000));
  }
  EXPECT_GT(estimator.target_bitrate(), 300'000u);
  EXPECT_EQ(estimator.usage(), BandwidthUsage::kNormal);
  EXPECT_EQ(estimator.loss_fraction(), 0);
}

TEST(SendSideBandwidthEstimator, SteadyStateAllocatesNothing) {
  auto estimator = std::make_unique<SendSideBandwidthEstimator>(BandwidthEstimatorConfig{}, t0);
  // Feedback for 20 packets at a time, prepared before counting.
  std::vector<std::vector<uint8_t>> feedback;
  for (int round = 0; round < 50; ++round) {
    std::vector<std::optional<int64_t>> arrivals;
    for (int i = 0; i < 20; ++i) {
      // Every seventh lost, the rest 50 ms after they left.
      if (i % 7 == 3) {
        arrivals.push_back(std::nullopt);
      } else {
        arrivals.push_back(int64_t(round * 20 + i) * 4'800 + 50'000);
      }
    }
    feedback.push_back(write_feedback(uint16_t(round * 20), arrivals, uint8_t(round)));
  }
  std::vector<rtp::RtcpTransportCc> parsed;
  for (const auto& bytes : feedback) parsed.push_back(parse_feedback(bytes));
  counting = true;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 20; ++i) {
      estimator->on_packet_sent(1200, t0 + microseconds((round * 20 + i) * 4'800));
    }
    estimator->on_feedback(parsed[size_t(round)], t0 + microseconds((round + 1) * 20 * 4'800 + 50'000));
    estimator->on_rtt(milliseconds(80));
    estimator->probe_plan();
  }
  counting = false;
  EXPECT_EQ(allocations.load(), 0u);
  EXPECT_EQ(estimator->history_counters().reported, 1000u);
}

}  // namespace
}  // namespace ct::bwe
