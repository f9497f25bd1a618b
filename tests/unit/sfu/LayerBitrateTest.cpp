// The bitrate a layer arrives at: a steady stream reads as its rate, the
// base temporal layer apart from the rest, a stream that stopped fades to
// nothing within the window, a bucket still filling does not count yet, and
// a gap longer than the window forgets everything before it.
#include <gtest/gtest.h>

#include <vector>

#include "sfu/LayerBitrate.hpp"

namespace ct::sfu {
namespace {

class LayerBitrateTest : public ::testing::Test {
 protected:
  // `packets_per_second` packets of `bytes`, spread over `length`, with
  // temporal ids cycling through `tids` (L1T3's 0 2 1 2 pattern by default).
  void stream(Duration length, int packets_per_second, size_t bytes,
              std::vector<uint8_t> tids = {0, 2, 1, 2}) {
    const Duration step = microseconds(1'000'000 / packets_per_second);
    for (Duration t{}; t < length; t += step) {
      meter.add(bytes, tids[sent % tids.size()], now);
      ++sent;
      now += step;
    }
  }
  LayerBitrate meter;
  TimePoint now = TimePoint{} + seconds(100);
  size_t sent = 0;
};

TEST_F(LayerBitrateTest, NothingYetIsZero) {
  EXPECT_EQ(meter.total_bitrate(now), 0u);
  EXPECT_EQ(meter.base_bitrate(now), 0u);
  EXPECT_FALSE(meter.has_temporal_layers(now));
}

TEST_F(LayerBitrateTest, ASteadyStreamReadsAsItsRate) {
  // 100 packets/s of 1000 bytes = 800 kbit/s.
  stream(seconds(3), 100, 1000);
  EXPECT_NEAR(double(meter.total_bitrate(now)), 800'000, 800'000 * 0.02);
}

TEST_F(LayerBitrateTest, TheBaseTemporalLayerIsCountedApart) {
  // TIDs 0 2 1 2: a quarter of the packets are the base layer, half are up to TID 1.
  stream(seconds(3), 100, 1000);
  EXPECT_NEAR(double(meter.base_bitrate(now)), 200'000, 200'000 * 0.05);
  EXPECT_NEAR(double(meter.bitrate(1, now)), 400'000, 400'000 * 0.05);
  EXPECT_TRUE(meter.has_temporal_layers(now));
}

TEST_F(LayerBitrateTest, WithoutTemporalLayersTheBaseIsTheWhole) {
  stream(seconds(2), 50, 1200, {0});
  EXPECT_EQ(meter.base_bitrate(now), meter.total_bitrate(now));
  EXPECT_FALSE(meter.has_temporal_layers(now));
}

TEST_F(LayerBitrateTest, TemporalIdsAboveThreeCountAsTheTopLayer) {
  meter.add(1000, 7, now);
  now += milliseconds(500);
  EXPECT_EQ(meter.base_bitrate(now), 0u);
  EXPECT_EQ(meter.total_bitrate(now), 8000u);
}

TEST_F(LayerBitrateTest, TheBucketStillFillingIsNotCountedYet) {
  now = TimePoint{} + seconds(200);  // the start of a bucket
  meter.add(1000, 0, now);
  EXPECT_EQ(meter.total_bitrate(now), 0u);
  EXPECT_EQ(meter.total_bitrate(now + milliseconds(99)), 0u);
  EXPECT_EQ(meter.total_bitrate(now + milliseconds(100)), 8000u);
}

TEST_F(LayerBitrateTest, AStreamThatStoppedFadesWithinTheWindow) {
  stream(seconds(2), 100, 1000);
  const uint64_t running = meter.total_bitrate(now);
  EXPECT_LT(meter.total_bitrate(now + milliseconds(600)), running);
  EXPECT_GT(meter.total_bitrate(now + milliseconds(600)), 0u);
  EXPECT_EQ(meter.total_bitrate(now + milliseconds(1200)), 0u);
  EXPECT_FALSE(meter.has_temporal_layers(now + milliseconds(1200)));
}

TEST_F(LayerBitrateTest, AGapLongerThanTheWindowForgetsWhatCameBefore) {
  stream(seconds(2), 100, 1000);
  now += seconds(5);
  stream(seconds(2), 50, 500, {0});  // 200 kbit/s, base only
  EXPECT_NEAR(double(meter.total_bitrate(now)), 200'000, 200'000 * 0.05);
  EXPECT_EQ(meter.base_bitrate(now), meter.total_bitrate(now));
}

TEST_F(LayerBitrateTest, ARateChangeShowsWithinOneSecond) {
  stream(seconds(2), 100, 1000);
  stream(milliseconds(1100), 25, 1000);  // 200 kbit/s
  EXPECT_NEAR(double(meter.total_bitrate(now)), 200'000, 200'000 * 0.1);
}

}  // namespace
}  // namespace ct::sfu
