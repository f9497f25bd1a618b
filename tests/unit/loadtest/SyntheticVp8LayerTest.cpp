// The synthetic simulcast layer against the RTP and VP8 parsers the SFU uses.
#include <gtest/gtest.h>

#include <array>
#include <string_view>

#include "loadtest/Participant.hpp"
#include "loadtest/PayloadStamp.hpp"
#include "loadtest/SyntheticVp8Layer.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/Vp8Payload.hpp"

namespace ct::loadtest {
namespace {

constexpr SyntheticVp8Layer::Wire kWire{96, 3, 4, 10, '0'};

SyntheticVp8Layer::Params params(double pps) { return {"h", 7, 1, 640, 360, pps, 1000, 30}; }

struct Built {
  std::array<uint8_t, 1500> bytes{};
  size_t length = 0;
  rtp::RtpPacket packet() { return *rtp::RtpPacket::parse(std::span<uint8_t>(bytes).first(length)); }
};

Built next(SyntheticVp8Layer& layer, TimePoint now = TimePoint{} + seconds(1)) {
  Built b;
  b.length = layer.next_packet(b.bytes, kWire, 1, now);
  return b;
}

TEST(SyntheticVp8Layer, FirstFrameIsAKeyframeWithTheLayersSizeAndStamp) {
  SyntheticVp8Layer layer(params(60), 0xABCD);
  auto b = next(layer, TimePoint{} + milliseconds(1500));
  ASSERT_GT(b.length, 1000u);
  auto packet = b.packet();
  EXPECT_EQ(packet.ssrc(), 0xABCDu);
  EXPECT_EQ(packet.payload_type(), 96);
  EXPECT_FALSE(packet.marker());  // 60 packets/s at 30 frames/s: two per frame
  auto vp8 = rtp::Vp8Payload::parse(packet.payload());
  ASSERT_TRUE(vp8);
  EXPECT_TRUE(vp8->keyframe);
  EXPECT_EQ(vp8->width, 640);
  EXPECT_EQ(vp8->height, 360);
  EXPECT_EQ(vp8->picture_id_bits, 15);
  EXPECT_EQ(vp8->temporal_id, 0);
  ASSERT_TRUE(vp8->tl0_pic_idx);
  EXPECT_EQ(rtp::read_rid(packet.find_extension(kWire.rid_id)), std::optional<std::string_view>("h"));
  auto stamp = PayloadStamp::read(vp8->data);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->source, 7);
  EXPECT_EQ(stamp->layer, 1);
  EXPECT_EQ(stamp->send_time_us, 1'500'000);
  EXPECT_EQ(layer.stats().keyframes_sent, 1u);
}

TEST(SyntheticVp8Layer, FramesFollowTheL1T3PatternWithOnePictureIdEach) {
  SyntheticVp8Layer layer(params(60), 1);
  std::optional<uint16_t> last_picture;
  uint8_t last_tl0 = 0;
  uint32_t last_timestamp = 0;
  const uint8_t expected_tid[] = {0, 2, 1, 2, 0, 2, 1, 2};
  for (int frame = 0; frame < 8; ++frame) {
    auto first = next(layer);
    auto second = next(layer);
    auto p1 = first.packet();
    auto p2 = second.packet();
    EXPECT_EQ(uint16_t(p2.sequence_number() - p1.sequence_number()), 1);
    EXPECT_EQ(p1.timestamp(), p2.timestamp());
    EXPECT_TRUE(p2.marker());
    auto v1 = rtp::Vp8Payload::parse(p1.payload());
    auto v2 = rtp::Vp8Payload::parse(p2.payload());
    ASSERT_TRUE(v1 && v2);
    EXPECT_TRUE(v1->starts_frame());
    EXPECT_FALSE(v2->starts_frame());
    EXPECT_EQ(v1->keyframe, frame == 0);
    EXPECT_EQ(v1->picture_id, v2->picture_id);
    EXPECT_EQ(v1->temporal_id, expected_tid[frame]) << frame;
    EXPECT_EQ(v1->non_reference, expected_tid[frame] == 2);
    if (last_picture) {
      EXPECT_EQ(*v1->picture_id, uint16_t((*last_picture + 1) & 0x7FFF));
      EXPECT_EQ(p1.timestamp() - last_timestamp, 3000u);  // 30 frames/s at 90 kHz
      EXPECT_EQ(uint8_t(*v1->tl0_pic_idx - last_tl0), expected_tid[frame] == 0 ? 1 : 0);
    }
    last_picture = v1->picture_id;
    last_tl0 = *v1->tl0_pic_idx;
    last_timestamp = p1.timestamp();
  }
}

TEST(SyntheticVp8Layer, AKeyframeRequestMakesTheNextFrameAKeyframe) {
  SyntheticVp8Layer layer(params(30), 1);  // one packet per frame
  next(layer);
  EXPECT_FALSE(rtp::Vp8Payload::parse(next(layer).packet().payload())->keyframe);
  layer.request_keyframe();
  auto vp8 = rtp::Vp8Payload::parse(next(layer).packet().payload());
  EXPECT_TRUE(vp8->keyframe);
  EXPECT_EQ(vp8->temporal_id, 0);
  EXPECT_EQ(layer.stats().keyframes_sent, 2u);
  EXPECT_EQ(layer.stats().keyframe_requests, 1u);
}

TEST(SyntheticVp8Layer, TheRidStopsOnceTheServerReportedTheSsrc) {
  SyntheticVp8Layer layer(params(30), 1);
  EXPECT_FALSE(next(layer).packet().find_extension(kWire.rid_id).empty());
  layer.confirm_ssrc();
  auto built = next(layer);
  auto packet = built.packet();
  EXPECT_TRUE(packet.find_extension(kWire.rid_id).empty());
  EXPECT_FALSE(packet.find_extension(kWire.mid_id).empty());
}

TEST(SyntheticVp8Layer, PacesAtItsRateAndAPausedLayerResumesWithAKeyframe) {
  SyntheticVp8Layer layer(params(60), 1);
  const TimePoint t0 = TimePoint{} + seconds(10);
  layer.start(t0);
  EXPECT_EQ(layer.due(t0 + milliseconds(500)), 30u);
  for (int i = 0; i < 30; ++i) next(layer);
  EXPECT_EQ(layer.due(t0 + milliseconds(500)), 0u);
  EXPECT_EQ(layer.due(t0 + seconds(1)), 30u);
  layer.set_active(false, t0 + seconds(1));
  EXPECT_EQ(layer.due(t0 + seconds(5)), 0u);
  layer.set_active(true, t0 + seconds(5));
  EXPECT_EQ(layer.due(t0 + seconds(5)), 0u);  // no burst for the paused time
  EXPECT_EQ(layer.due(t0 + seconds(6)), 60u);
  EXPECT_TRUE(rtp::Vp8Payload::parse(next(layer).packet().payload())->keyframe);
  EXPECT_EQ(layer.stats().pauses, 1u);
}

// The rates --help and docs/benchmarks.md state for --simulcast's defaults.
TEST(SyntheticVp8Layer, ThePublishersLayersAreThoseOfA720pCamera) {
  const auto layers = Participant::layer_params(180, 1100, 3);
  ASSERT_EQ(layers.size(), 3u);
  const struct {
    const char* rid;
    uint16_t width, height;
    double pps;
    size_t payload;
  } expected[] = {{"q", 320, 180, 30, 550}, {"h", 640, 360, 60, 1100}, {"f", 1280, 720, 180, 1100}};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(layers[i].rid, expected[i].rid);
    EXPECT_EQ(layers[i].index, i);
    EXPECT_EQ(layers[i].source, 3);
    EXPECT_EQ(layers[i].width, expected[i].width);
    EXPECT_EQ(layers[i].height, expected[i].height);
    EXPECT_DOUBLE_EQ(layers[i].packets_per_second, expected[i].pps);
    EXPECT_EQ(layers[i].payload_bytes, expected[i].payload);
    EXPECT_EQ(layers[i].frames_per_second, 30u);
  }
}

}  // namespace
}  // namespace ct::loadtest
