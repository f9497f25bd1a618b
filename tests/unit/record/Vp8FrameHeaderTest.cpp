// The VP8 frame tag and keyframe header (RFC 6386 §9.1), from hand-made
// bytes, libvpx's own first frame, truncated and random input.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "record/Vp8FrameHeader.hpp"

namespace ct::record {
namespace {

// The first 10 bytes of the first frame libvpx wrote for a 320x240 testsrc
// (`ffmpeg -f lavfi -i testsrc=size=320x240 -c:v libvpx -f ivf`).
const std::vector<uint8_t> kLibvpxKeyframe = {0xb0, 0x5a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00};

TEST(Vp8FrameHeader, LibvpxKeyframe) {
  const auto header = Vp8FrameHeader::parse(kLibvpxKeyframe);
  ASSERT_TRUE(header);
  EXPECT_TRUE(header->keyframe);
  EXPECT_EQ(header->version, 0);
  EXPECT_TRUE(header->show_frame);
  EXPECT_EQ(header->first_partition_size, 0x005ab0u >> 5);
  EXPECT_EQ(header->width, 320);
  EXPECT_EQ(header->height, 240);
  EXPECT_EQ(header->horizontal_scale, 0);
  EXPECT_EQ(header->vertical_scale, 0);
}

TEST(Vp8FrameHeader, ScalesAreTheTopTwoBitsOfTheSize) {
  // 640 with scale 2, 480 with scale 3.
  const std::vector<uint8_t> bytes = {0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x82, 0xe0, 0xc1};
  const auto header = Vp8FrameHeader::parse(bytes);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->width, 640);
  EXPECT_EQ(header->horizontal_scale, 2);
  EXPECT_EQ(header->height, 480);
  EXPECT_EQ(header->vertical_scale, 3);
}

TEST(Vp8FrameHeader, DeltaFrameNeedsOnlyTheTag) {
  // P=1, version 2, not shown, first partition of 0x7FFFF bytes.
  const std::vector<uint8_t> bytes = {0xe5, 0xff, 0xff};
  const auto header = Vp8FrameHeader::parse(bytes);
  ASSERT_TRUE(header);
  EXPECT_FALSE(header->keyframe);
  EXPECT_EQ(header->version, 2);
  EXPECT_FALSE(header->show_frame);
  EXPECT_EQ(header->first_partition_size, 0x7FFFFu);
  EXPECT_EQ(header->width, 0);
}

TEST(Vp8FrameHeader, TruncatedOrWithoutStartCodeFails) {
  for (size_t length = 0; length < kLibvpxKeyframe.size(); ++length) {
    EXPECT_FALSE(Vp8FrameHeader::parse(std::span(kLibvpxKeyframe).first(length))) << length;
  }
  for (size_t at = 3; at < 6; ++at) {
    std::vector<uint8_t> bytes = kLibvpxKeyframe;
    bytes[at] ^= 0x01;
    EXPECT_FALSE(Vp8FrameHeader::parse(bytes)) << at;
  }
  EXPECT_FALSE(Vp8FrameHeader::parse(std::vector<uint8_t>{0x31, 0x0a}));
}

TEST(Vp8FrameHeader, RandomBytes) {
  std::mt19937 random(5);
  std::vector<uint8_t> bytes;
  for (int round = 0; round < 20000; ++round) {
    bytes.resize(random() % 14);
    for (uint8_t& b : bytes) b = uint8_t(random());
    const auto header = Vp8FrameHeader::parse(bytes);
    if (!header) continue;
    ASSERT_GE(bytes.size(), 3u);
    ASSERT_LE(header->version, 7);
    if (header->keyframe) {
      ASSERT_GE(bytes.size(), 10u);
      ASSERT_LE(header->width, 0x3FFF);
      ASSERT_LE(header->height, 0x3FFF);
    }
  }
}

}  // namespace
}  // namespace ct::record
