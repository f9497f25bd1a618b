// The estimator against recorded feedback traces (tests/unit/bwe/traces):
// each trace was made by LinkSimulator with the estimator in the loop, and
// is replayed here into a fresh estimator. The bounds are the ones
// docs/congestion-control.md states. To regenerate the traces after
// changing the estimator:
//   CT_BWE_WRITE_TRACES=1 build/asan/unit_bwe --gtest_filter='BweTraces.*'
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "LinkSimulator.hpp"

namespace ct::bwe::test {
namespace {

constexpr int64_t kSecond = 1'000'000;

std::string trace_path(const std::string& name) {
  return std::string(CT_FIXTURES_DIR) + "/../unit/bwe/traces/" + name + ".trace";
}

LinkProfile steady() {
  LinkProfile p;
  p.name = "steady-2mbps";
  p.rates = {{0, 2e6}};
  p.duration_us = 20 * kSecond;
  return p;
}

LinkProfile step_down() {
  LinkProfile p;
  p.name = "step-down-2-to-0.6mbps";
  p.rates = {{0, 2e6}, {8 * kSecond, 0.6e6}};
  p.duration_us = 16 * kSecond;
  return p;
}

LinkProfile step_up() {
  LinkProfile p;
  p.name = "step-up-0.6-to-2mbps";
  p.rates = {{0, 0.6e6}, {8 * kSecond, 2e6}};
  p.duration_us = 20 * kSecond;
  return p;
}

LinkProfile random_loss() {
  LinkProfile p;
  p.name = "loss-5pct-jitter-5ms";
  p.rates = {{0, 2e6}};
  p.random_loss = 0.05;
  p.jitter_us = 5'000;
  p.duration_us = 15 * kSecond;
  return p;
}

LinkProfile burst_loss() {
  LinkProfile p;
  p.name = "burst-50pct-1s";
  p.rates = {{0, 2e6}};
  p.burst_start_us = 8 * kSecond;
  p.burst_length_us = 1 * kSecond;
  p.burst_loss = 0.5;
  p.duration_us = 20 * kSecond;
  return p;
}

Outcome replay_profile(const LinkProfile& profile) {
  return replay(read_trace(trace_path(profile.name)), profile.config);
}

// Lowest and highest target in [from, to).
std::pair<double, double> range(const Outcome& run, int64_t from_us, int64_t to_us) {
  double low = 1e18;
  double high = 0;
  for (const Sample& s : run.timeline) {
    if (s.at_us < from_us || s.at_us >= to_us) continue;
    low = std::min(low, s.target_bps);
    high = std::max(high, s.target_bps);
  }
  return {low, high};
}

double mean(const Outcome& run, int64_t from_us, int64_t to_us) {
  double sum = 0;
  size_t count = 0;
  for (const Sample& s : run.timeline) {
    if (s.at_us < from_us || s.at_us >= to_us) continue;
    sum += s.target_bps;
    ++count;
  }
  return count ? sum / double(count) : 0;
}

// The first time at or after `from_us` when the target meets `pred`.
template <typename Pred>
int64_t first_time(const Outcome& run, int64_t from_us, Pred pred) {
  for (const Sample& s : run.timeline) {
    if (s.at_us >= from_us && pred(s.target_bps)) return s.at_us;
  }
  return INT64_MAX;
}

TEST(BweTraces, TracesAreTheCurrentEstimatorsAndReplayTheSame) {
  const bool write = std::getenv("CT_BWE_WRITE_TRACES") != nullptr;
  for (const LinkProfile& profile : {steady(), step_down(), step_up(), random_loss(), burst_loss()}) {
    SCOPED_TRACE(profile.name);
    const Outcome live = simulate(profile);
    if (write) write_trace(trace_path(profile.name), live.trace);
    EXPECT_TRUE(read_trace(trace_path(profile.name)) == live.trace)
        << "the estimator changed: regenerate the traces with CT_BWE_WRITE_TRACES=1";
    const Outcome replayed = replay_profile(profile);
    ASSERT_EQ(replayed.timeline.size(), live.timeline.size());
    for (size_t i = 0; i < live.timeline.size(); ++i) {
      EXPECT_EQ(replayed.timeline[i].target_bps, live.timeline[i].target_bps) << "feedback " << i;
    }
    EXPECT_GT(replayed.probes_sent, 0u);
  }
}

TEST(BweTraces, SteadyLinkIsTrackedWithinFifteenPercent) {
  const Outcome run = replay_profile(steady());
  const auto [low, high] = range(run, 10 * kSecond, 20 * kSecond);
  EXPECT_GE(low, 0.85 * 2e6);
  EXPECT_LE(high, 1.15 * 2e6);
  EXPECT_NEAR(mean(run, 10 * kSecond, 20 * kSecond), 2e6, 0.10 * 2e6);
  // The start probes find the link: within 15% in the first 2 s.
  EXPECT_LE(first_time(run, 0, [](double bps) { return bps >= 0.85 * 2e6; }), 2 * kSecond);
}

TEST(BweTraces, StepDownIsFollowedWithinThreeSeconds) {
  const Outcome run = replay_profile(step_down());
  EXPECT_LE(first_time(run, 8 * kSecond, [](double bps) { return bps < 0.7e6; }), 11 * kSecond);
  const auto [low, high] = range(run, 11 * kSecond, 16 * kSecond);
  EXPECT_LT(high, 0.7e6);
  EXPECT_GE(low, 0.4e6);  // no collapse below two thirds of the new capacity
}

TEST(BweTraces, StepUpIsFoundWithinTenSeconds) {
  const Outcome run = replay_profile(step_up());
  const auto [low, high] = range(run, 3 * kSecond, 8 * kSecond);
  EXPECT_GE(low, 0.75 * 0.6e6);
  EXPECT_LE(high, 1.15 * 0.6e6);
  EXPECT_LE(first_time(run, 8 * kSecond, [](double bps) { return bps > 1.6e6; }), 18 * kSecond);
  EXPECT_GE(range(run, 18 * kSecond, 20 * kSecond).first, 0.8 * 2e6);
}

TEST(BweTraces, FivePercentRandomLossDoesNotCollapseTheEstimate) {
  const Outcome run = replay_profile(random_loss());
  EXPECT_GE(range(run, 2 * kSecond, 15 * kSecond).first, 0.7 * 2e6);
  // 5% of what is sent never arrives, so the link carries 1.9 Mbit/s of it.
  EXPECT_NEAR(mean(run, 5 * kSecond, 15 * kSecond), 2e6, 0.20 * 2e6);
}

TEST(BweTraces, OneSecondOfHalfLossIsRecoveredWithinFourSeconds) {
  const Outcome run = replay_profile(burst_loss());
  // The burst cuts the estimate (the acked rate halves), but not to the floor.
  EXPECT_LT(range(run, 9 * kSecond, 11 * kSecond).first, 0.8 * 2e6);
  EXPECT_GE(range(run, 8 * kSecond, 20 * kSecond).first, 0.3 * 2e6);
  // The burst ends at 9 s; a probe after the large drop finds the link again.
  EXPECT_LE(first_time(run, 9 * kSecond + 500'000, [](double bps) { return bps >= 0.85 * 2e6; }),
            13 * kSecond);
  EXPECT_GE(range(run, 13 * kSecond, 20 * kSecond).first, 0.8 * 2e6);
}

}  // namespace
}  // namespace ct::bwe::test
