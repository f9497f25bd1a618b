// VP9 payload descriptor reading (RFC 9628 §4.2): keyframes, picture IDs,
// layer indices, flexible-mode references, truncated and random input.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "rtp/Vp9Payload.hpp"

namespace ct::rtp {
namespace {

TEST(Vp9Payload, NonFlexibleKeyframeWithLayersAndLongPictureId) {
  // I L B E, M|0x01 0x02, TID=0 U=0 SID=0 D=0, TL0PICIDX 7, then data
  const std::vector<uint8_t> bytes = {0xAC, 0x81, 0x02, 0x00, 0x07, 0x83};
  const auto vp9 = Vp9Payload::parse(bytes);
  ASSERT_TRUE(vp9);
  EXPECT_EQ(vp9->picture_id, 0x0102);
  EXPECT_EQ(vp9->picture_id_bits, 15);
  EXPECT_EQ(vp9->temporal_id, 0);
  EXPECT_EQ(vp9->spatial_id, 0);
  EXPECT_EQ(vp9->tl0_pic_idx, 7);
  EXPECT_EQ(vp9->header_size, 5u);
  EXPECT_TRUE(vp9->begins_frame);
  EXPECT_TRUE(vp9->ends_frame);
  EXPECT_TRUE(vp9->starts_keyframe());
}

TEST(Vp9Payload, InterPictureOrLaterPacketOrUpperSpatialLayerIsNoKeyframeStart) {
  EXPECT_FALSE(Vp9Payload::parse(std::vector<uint8_t>{0xC8, 0x05, 0x00})->starts_keyframe());  // P=1
  EXPECT_FALSE(Vp9Payload::parse(std::vector<uint8_t>{0x84, 0x05, 0x00})->starts_keyframe());  // B=0
  // L with SID=1: an upper spatial layer of a keyframe picture.
  EXPECT_FALSE(Vp9Payload::parse(std::vector<uint8_t>{0xA8, 0x05, 0x02, 0x00, 0x00})->starts_keyframe());
  EXPECT_TRUE(Vp9Payload::parse(std::vector<uint8_t>{0x88, 0x05, 0x00})->starts_keyframe());
}

TEST(Vp9Payload, FlexibleModeReferences) {
  // I P L F B, short picture id, TID/SID byte (no TL0PICIDX), two P_DIFFs (N=1 then 0)
  const std::vector<uint8_t> bytes = {0xF8, 0x09, 0x20, 0x03, 0x04, 0xAA};
  const auto vp9 = Vp9Payload::parse(bytes);
  ASSERT_TRUE(vp9);
  EXPECT_TRUE(vp9->flexible);
  EXPECT_FALSE(vp9->tl0_pic_idx);
  EXPECT_EQ(vp9->temporal_id, 1);
  EXPECT_EQ(vp9->header_size, 5u);
  // Four P_DIFFs is one more than allowed.
  EXPECT_FALSE(Vp9Payload::parse(std::vector<uint8_t>{0xD8, 0x09, 0x03, 0x03, 0x03, 0x03, 0xAA}));
}

TEST(Vp9Payload, TruncatedDescriptors) {
  const std::vector<uint8_t> full = {0xAC, 0x81, 0x02, 0x00, 0x07};
  for (size_t n = 0; n < full.size(); ++n)
    EXPECT_FALSE(Vp9Payload::parse(std::span<const uint8_t>(full.data(), n))) << n;
  EXPECT_TRUE(Vp9Payload::parse(full));
}

TEST(Vp9Payload, RandomInputNeverReadsPastTheEnd) {
  std::mt19937 random(9);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes(random() % 12);
    for (auto& b : bytes) b = uint8_t(random());
    if (auto vp9 = Vp9Payload::parse(bytes)) {
      ASSERT_LE(vp9->header_size, bytes.size());
    }
  }
}

}  // namespace
}  // namespace ct::rtp
