// The per-subscriber bandwidth allocator: audio first, priorities (screen
// share, active speaker, bigger tiles), pausing what does not fit, climbing
// to the wanted layer, dropping temporal layers before a spatial layer,
// hysteresis against a jittering budget, layers not measured yet, a layer
// the publisher stopped, and what it counts.
#include <gtest/gtest.h>

#include <vector>

#include "sfu/BandwidthAllocator.hpp"

namespace ct::sfu {
namespace {

using Priority = BandwidthAllocator::Priority;
using Demand = BandwidthAllocator::Demand;
using Allocation = BandwidthAllocator::Allocation;
constexpr int kNoLayer = BandwidthAllocator::kNoLayer;
constexpr uint8_t kAll = BandwidthAllocator::kAllTemporalLayers;

// A camera in three layers at the web client's rates, each with temporal
// layers whose base carries 40% of the bits.
Demand camera(uint64_t id, int desired = 2, Priority priority = Priority::other, uint64_t area = 640 * 360) {
  Demand d;
  d.id = id;
  d.priority = priority;
  d.tile_area = area;
  d.desired_layer = desired;
  d.layer_count = 3;
  d.layers[0] = {150'000, 60'000, true};
  d.layers[1] = {500'000, 200'000, true};
  d.layers[2] = {1'700'000, 680'000, true};
  return d;
}

Demand audio(uint64_t id, uint64_t bps = 40'000) {
  Demand d;
  d.id = id;
  d.audio = true;
  d.audio_bps = bps;
  d.desired_layer = 0;
  return d;
}

class BandwidthAllocatorTest : public ::testing::Test {
 protected:
  const std::vector<Allocation>& run(uint64_t budget, const std::vector<Demand>& demands,
                                     Duration after = milliseconds(500)) {
    now += after;
    out.assign(demands.size(), Allocation{});
    allocator.allocate(budget, demands, now, out);
    return out;
  }
  BandwidthAllocator allocator;
  TimePoint now = TimePoint{} + seconds(1000);
  std::vector<Allocation> out;
};

TEST_F(BandwidthAllocatorTest, EnoughForEverythingGivesEachTheLayerItWants) {
  auto& a = run(10'000'000, {audio(1), camera(2, 2), camera(3, 1), camera(4, 0)});
  EXPECT_EQ(a[0].layer, 0);
  EXPECT_FALSE(a[0].paused);
  EXPECT_EQ(a[1].layer, 2);
  EXPECT_EQ(a[1].max_temporal_layer, kAll);
  EXPECT_EQ(a[2].layer, 1);
  EXPECT_EQ(a[3].layer, 0);
  for (const auto& x : a) EXPECT_FALSE(x.paused);
}

TEST_F(BandwidthAllocatorTest, AudioComesFirstEvenWhenNothingElseFits) {
  auto& a = run(50'000, {camera(2), audio(1, 40'000)});
  EXPECT_EQ(a[1].layer, 0);
  EXPECT_FALSE(a[1].paused);
  EXPECT_TRUE(a[0].paused);
  EXPECT_EQ(a[0].layer, kNoLayer);
  // The audio alone is over the budget: still sent, and the video paused.
  auto& b = run(10'000, {camera(2), audio(1, 40'000)}, seconds(10));
  EXPECT_EQ(b[1].layer, 0);
  EXPECT_TRUE(b[0].paused);
}

TEST_F(BandwidthAllocatorTest, WhatDoesNotFitEvenAtItsLowestIsPausedRatherThanStarvingTheRest) {
  // Room for two base layers of the lowest layer (60k each, with headroom), not three.
  auto& a = run(150'000, {camera(1, 2, Priority::other, 100), camera(2, 2, Priority::other, 300),
                          camera(3, 2, Priority::other, 200)});
  // The smallest tile is the one paused; the others get a step each.
  EXPECT_TRUE(a[0].paused);
  EXPECT_FALSE(a[1].paused);
  EXPECT_FALSE(a[2].paused);
  EXPECT_EQ(a[1].layer, 0);
  EXPECT_EQ(a[2].layer, 0);
}

TEST_F(BandwidthAllocatorTest, ScreenShareThenActiveSpeakerThenBiggestTiles) {
  const uint64_t budget = 1'700'000 * 115 / 100 + 400'000;
  auto& a = run(
      budget, {camera(1, 2, Priority::other, 1920 * 1080), camera(2, 2, Priority::active_speaker, 320 * 180),
               camera(3, 2, Priority::screen_share, 320 * 180)});
  // Everyone gets something; the screen share the full layer, the speaker
  // comes next, the big tile of someone silent last.
  for (const auto& x : a) EXPECT_FALSE(x.paused);
  EXPECT_EQ(a[2].layer, 2);
  EXPECT_EQ(a[2].max_temporal_layer, kAll);
  EXPECT_GE(a[1].layer, a[0].layer);
  EXPECT_EQ(a[1].layer, 1);
  EXPECT_EQ(a[0].layer, 0);
}

TEST_F(BandwidthAllocatorTest, ABiggerTileComesBeforeASmallerOne) {
  auto& a =
      run(1'000'000, {camera(1, 2, Priority::other, 320 * 180), camera(2, 2, Priority::other, 1280 * 720)});
  EXPECT_GT(a[1].layer, a[0].layer);
}

TEST_F(BandwidthAllocatorTest, TemporalLayersAreDroppedBeforeASpatialDowngradeWhereThatFits) {
  // The full layer's base (680k) fits with headroom, all of it (1.7M) does not.
  auto& a = run(900'000, {camera(1)});
  EXPECT_EQ(a[0].layer, 2);
  EXPECT_EQ(a[0].max_temporal_layer, 0);
  // Less: the middle layer, whole.
  auto& b = run(600'000, {camera(1)});
  EXPECT_EQ(b[0].layer, 1);
  EXPECT_EQ(b[0].max_temporal_layer, kAll);
  // Less still: the middle layer's base.
  auto& c = run(300'000, {camera(1)});
  EXPECT_EQ(c[0].layer, 1);
  EXPECT_EQ(c[0].max_temporal_layer, 0);
}

TEST_F(BandwidthAllocatorTest, WithoutTemporalLayersTheSpatialLayerGoesDownWhole) {
  Demand d = camera(1);
  for (auto& l : d.layers) l.base_bps = 0;  // H.264: no temporal layers
  auto& a = run(900'000, {d});
  EXPECT_EQ(a[0].layer, 1);
  EXPECT_EQ(a[0].max_temporal_layer, kAll);
}

TEST_F(BandwidthAllocatorTest, HiddenOrMutedTracksCostNothingAndAreNotPaused) {
  Demand hidden = camera(1, kNoLayer);
  auto& a = run(260'000, {hidden, camera(2, 2)});
  EXPECT_FALSE(a[0].paused);
  EXPECT_EQ(a[0].layer, kNoLayer);
  EXPECT_EQ(a[1].layer, 1);  // the whole budget went to the visible one
  EXPECT_EQ(a[1].max_temporal_layer, 0);
}

TEST_F(BandwidthAllocatorTest, NothingMeasuredYetAllowsTheDesiredLayer) {
  Demand d = camera(1, 1);
  for (auto& l : d.layers) l = {0, 0, false};
  auto& a = run(10'000, {d});
  EXPECT_EQ(a[0].layer, 1);
  EXPECT_EQ(a[0].max_temporal_layer, kAll);
  EXPECT_FALSE(a[0].paused);
}

TEST_F(BandwidthAllocatorTest, ALayerNotMeasuredYetIsEstimatedFromTheOneBelow) {
  Demand d = camera(1);
  d.layers[2] = {0, 0, true};                  // just resumed: live, no rate yet (taken as 3 x 500k)
  EXPECT_EQ(run(1'600'000, {d})[0].layer, 1);  // 1.5M with headroom does not fit
  BandwidthAllocator fresh;
  std::vector<Allocation> o(1);
  fresh.allocate(2'000'000, std::vector<Demand>{d}, now, o);
  EXPECT_EQ(o[0].layer, 2);
  EXPECT_EQ(o[0].max_temporal_layer, kAll);  // no base rate known: nothing to drop
}

TEST_F(BandwidthAllocatorTest, ALayerThePublisherStoppedIsNotAllocated) {
  Demand d = camera(1);
  d.layers[2] = {0, 0, false};  // the encoder dropped it
  auto& a = run(10'000'000, {d});
  EXPECT_EQ(a[0].layer, 1);
  EXPECT_EQ(a[0].max_temporal_layer, kAll);
  // Only the top layer is sent: that is what there is to pay for.
  Demand top_only = camera(2, 0);
  top_only.layers[0] = {0, 0, false};
  top_only.layers[1] = {0, 0, false};
  auto& b = run(1'000'000, {top_only});
  EXPECT_EQ(b[0].layer, 2);
  EXPECT_EQ(b[0].max_temporal_layer, 0);  // its base fits, the whole does not
}

TEST_F(BandwidthAllocatorTest, ABudgetJitteringByTenPercentMovesNothing) {
  const uint64_t budget = 1'000'000;
  auto first = run(budget, {audio(1), camera(2), camera(3)});
  const auto changes = [&] {
    return allocator.stats().upgraded + allocator.stats().downgraded + allocator.stats().paused;
  };
  const uint64_t at_start = changes();
  for (int i = 0; i < 40; ++i) {
    const uint64_t jittered = i % 2 ? budget * 110 / 100 : budget * 90 / 100;
    auto& a = run(jittered, {audio(1), camera(2), camera(3)});
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].layer, first[k].layer) << "round " << i;
      EXPECT_EQ(a[k].max_temporal_layer, first[k].max_temporal_layer) << "round " << i;
    }
  }
  EXPECT_EQ(changes(), at_start);
}

TEST_F(BandwidthAllocatorTest, ADropIsFollowedAtOnce) {
  EXPECT_EQ(run(3'000'000, {camera(1)})[0].layer, 2);
  auto& a = run(600'000, {camera(1)});
  EXPECT_EQ(a[0].layer, 1);
  EXPECT_EQ(allocator.stats().downgraded, 1u);
}

TEST_F(BandwidthAllocatorTest, AnUpgradeWaitsForHeadroomHeldForAFewSeconds) {
  EXPECT_EQ(run(600'000, {camera(1)})[0].layer, 1);
  // The full layer's base fits exactly but without headroom: stays.
  EXPECT_EQ(run(700'000, {camera(1)}, seconds(5))[0].layer, 1);
  // With headroom: not before kUpgradeDelay.
  EXPECT_EQ(run(900'000, {camera(1)})[0].layer, 1);
  EXPECT_EQ(run(900'000, {camera(1)}, seconds(1))[0].layer, 1);
  // A dip restarts the wait.
  EXPECT_EQ(run(700'000, {camera(1)}, milliseconds(500))[0].layer, 1);
  EXPECT_EQ(run(900'000, {camera(1)}, milliseconds(500))[0].layer, 1);
  EXPECT_EQ(run(900'000, {camera(1)}, milliseconds(1500))[0].layer, 1);
  auto& a = run(900'000, {camera(1)}, milliseconds(600));
  EXPECT_EQ(a[0].layer, 2);
  EXPECT_EQ(a[0].max_temporal_layer, 0);
  EXPECT_EQ(allocator.stats().upgraded, 1u);
}

TEST_F(BandwidthAllocatorTest, APausedVideoResumesOnlyAfterTheDelay) {
  EXPECT_TRUE(run(30'000, {camera(1)})[0].paused);
  EXPECT_EQ(allocator.stats().paused, 1u);
  EXPECT_TRUE(run(500'000, {camera(1)})[0].paused);
  auto& a = run(500'000, {camera(1)}, BandwidthAllocator::kUpgradeDelay);
  EXPECT_FALSE(a[0].paused);
  EXPECT_EQ(a[0].layer, 1);
  EXPECT_TRUE(run(30'000, {camera(1)})[0].paused);
  EXPECT_EQ(allocator.stats().paused, 2u);
  EXPECT_EQ(allocator.stats().upgraded, 1u);
}

TEST_F(BandwidthAllocatorTest, WhenTheBudgetDoesNotBindAGrownTileIsServedAtOnce) {
  EXPECT_EQ(run(10'000'000, {camera(1, 0)})[0].layer, 0);
  EXPECT_EQ(run(10'000'000, {camera(1, 2)})[0].layer, 2);
  EXPECT_EQ(allocator.stats().upgraded, 1u);
}

TEST_F(BandwidthAllocatorTest, ADelayedUpgradeKeepsItsBudgetFromLowerPriorities) {
  const Demand speaker = camera(1, 2, Priority::active_speaker);
  const Demand other = camera(2, 1);
  auto& a = run(900'000, {speaker, other});
  EXPECT_EQ(a[0].layer, 2);
  EXPECT_EQ(a[0].max_temporal_layer, 0);
  EXPECT_EQ(a[1].layer, 0);
  EXPECT_EQ(a[1].max_temporal_layer, 0);
  // More budget: both wait, and the other is not given what the speaker will take.
  for (int i = 0; i < 6; ++i) {
    auto& b = run(2'200'000, {speaker, other});
    if (b[0].max_temporal_layer == kAll) break;
    EXPECT_EQ(b[0].layer, 2);
    EXPECT_EQ(b[1].layer, 0);
  }
  auto& c = run(2'200'000, {speaker, other});
  EXPECT_EQ(c[0].layer, 2);
  EXPECT_EQ(c[0].max_temporal_layer, kAll);
  EXPECT_EQ(c[1].layer, 1);
  EXPECT_EQ(c[1].max_temporal_layer, 0);
}

TEST_F(BandwidthAllocatorTest, ASubscriptionThatWentAwayIsForgotten) {
  EXPECT_EQ(run(600'000, {camera(1)})[0].layer, 1);
  run(600'000, {camera(2)});
  // Back under the same id: new, so no upgrade delay holds it back.
  EXPECT_EQ(run(900'000, {camera(1)})[0].layer, 2);
}

TEST_F(BandwidthAllocatorTest, ANewTrackIsCountedAgainstWhatItsViewerWants) {
  run(100'000, {camera(1), camera(2, 1, Priority::other, 1)});
  // Camera 1 got less than the top layer, camera 2 got nothing: one of each.
  EXPECT_EQ(allocator.stats().downgraded, 1u);
  EXPECT_EQ(allocator.stats().paused, 1u);
  run(10'000'000, {camera(3, 0)});
  EXPECT_EQ(allocator.stats().downgraded, 1u);  // what it wants is not a downgrade
}

TEST_F(BandwidthAllocatorTest, AfterAResetEverythingStartsAfresh) {
  EXPECT_EQ(run(600'000, {camera(1)})[0].layer, 1);
  allocator.reset();
  // Held before the reset, an upgrade would wait; afresh, it is taken at once.
  EXPECT_EQ(run(900'000, {camera(1)})[0].layer, 2);
}

}  // namespace
}  // namespace ct::sfu
