// H.264 payload reading (RFC 6184 §5): which packets start a keyframe, in
// hand-built packets of each kind, truncated and random input, and every
// H.264 packet Chromium sent in the fixtures.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "RtpFixtures.hpp"
#include "rtp/H264Payload.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::rtp {
namespace {

TEST(H264Payload, SingleNalUnits) {
  const std::vector<uint8_t> idr = {0x65, 0x88, 0x84};
  const std::vector<uint8_t> sps = {0x67, 0x42, 0xc0, 0x1f};
  const std::vector<uint8_t> slice = {0x41, 0x9a, 0x00};
  EXPECT_TRUE(H264Payload::parse(idr)->starts_keyframe());
  EXPECT_TRUE(H264Payload::parse(idr)->has_idr);
  EXPECT_TRUE(H264Payload::parse(sps)->has_sps);
  EXPECT_FALSE(H264Payload::parse(slice)->starts_keyframe());
  EXPECT_EQ(H264Payload::parse(slice)->packet_type, 1);
}

TEST(H264Payload, StapAWithSpsAndPps) {
  const std::vector<uint8_t> stap = {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce};
  const auto h = H264Payload::parse(stap);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->packet_type, 24);
  EXPECT_TRUE(h->has_sps);
  EXPECT_FALSE(h->has_idr);
  EXPECT_TRUE(h->starts_keyframe());
  // A unit size past the end, a zero size, a lone size byte: malformed.
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x78, 0x00, 0x09, 0x67}));
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x78, 0x00, 0x00}));
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x78, 0x00, 0x01, 0x67, 0x00}));
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x78}));
}

TEST(H264Payload, OnlyTheFirstFragmentOfAnIdrStartsAKeyframe) {
  EXPECT_TRUE(H264Payload::parse(std::vector<uint8_t>{0x7c, 0x85, 0x00})->starts_keyframe());   // S=1 IDR
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x7c, 0x05, 0x00})->starts_keyframe());  // middle
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x7c, 0x45, 0x00})->starts_keyframe());  // E=1
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x7c, 0x81, 0x00})->starts_keyframe());  // non-IDR
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x7c, 0x85}));                           // no data
}

TEST(H264Payload, EmptyAndForbiddenTypeAreMalformed) {
  EXPECT_FALSE(H264Payload::parse({}));
  EXPECT_FALSE(H264Payload::parse(std::vector<uint8_t>{0x60}));
}

TEST(H264Payload, RandomInputNeverCrashes) {
  std::mt19937 random(7);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes(random() % 40);
    for (auto& b : bytes) b = uint8_t(random());
    (void)H264Payload::parse(bytes);
  }
}

TEST(H264Payload, ChromiumKeyframesStartWithSpsThenIdr) {
  size_t starts = 0, lines = 0;
  for (test::FixtureLine& line : test::load_fixture("chromium-rtp.hex")) {
    const auto& d = line.description;
    if (d.find("H264 pt=") == std::string::npos) continue;
    const auto rtp = RtpPacket::parse(line.bytes);
    ASSERT_TRUE(rtp);
    const auto h = H264Payload::parse(rtp->payload());
    ASSERT_TRUE(h) << line.line_number;
    ++lines;
    const bool expected =
        d.find("STAP-A[SPS") != std::string::npos || d.find("S=1 E=0 nal=IDR") != std::string::npos;
    EXPECT_EQ(h->starts_keyframe(), expected) << line.line_number << " " << d;
    if (h->starts_keyframe()) ++starts;
  }
  EXPECT_GT(lines, 0u);
  EXPECT_EQ(starts, 4u);  // two keyframes, each an SPS/PPS STAP-A and the IDR's first fragment
}

}  // namespace
}  // namespace ct::rtp
