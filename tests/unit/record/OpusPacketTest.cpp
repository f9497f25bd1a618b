// The sample count of an Opus packet from its TOC byte (RFC 6716 §3.1).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "record/OpusPacket.hpp"

namespace ct::record {
namespace {

std::optional<uint32_t> samples(std::vector<uint8_t> packet) { return OpusPacket::samples(packet); }

uint8_t toc(uint8_t config, uint8_t code) { return uint8_t(config << 3 | code); }

TEST(OpusPacket, OneFrameOfEachConfiguration) {
  // Table 2: SILK NB/MB/WB 10, 20, 40, 60 ms; Hybrid SWB/FB 10, 20 ms; CELT 2.5, 5, 10, 20 ms.
  const uint32_t expected[32] = {480,  960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920,
                                 2880, 480, 960,  480,  960, 120, 240,  480,  960, 120, 240,
                                 480,  960, 120,  240,  480, 960, 120,  240,  480, 960};
  for (uint8_t config = 0; config < 32; ++config) {
    EXPECT_EQ(samples({toc(config, 0), 0xAA}), expected[config]) << int(config);
  }
}

TEST(OpusPacket, CodesOneAndTwoHoldTwoFrames) {
  EXPECT_EQ(samples({toc(1, 1), 0, 0}), 1920u);  // two 20 ms SILK frames of equal size
  EXPECT_EQ(samples({toc(31, 2), 1, 0, 0}), 1920u);
}

TEST(OpusPacket, CodeThreeCountsItsFrames) {
  EXPECT_EQ(samples({toc(16, 3), 0x03}), 360u);  // three 2.5 ms frames
  EXPECT_EQ(samples({toc(3, 3), 0x02}), 5760u);  // two 60 ms frames: 120 ms, the most allowed
  EXPECT_EQ(samples({toc(3, 3), 0xC2}), 5760u);  // VBR and padding flags do not count
  EXPECT_FALSE(samples({toc(3, 3), 0x03}));      // 180 ms
  EXPECT_FALSE(samples({toc(16, 3), 0x00}));     // no frames
  EXPECT_FALSE(samples({toc(16, 3)}));           // the count byte is missing
}

TEST(OpusPacket, AnEmptyPacketHasNoSamples) { EXPECT_FALSE(samples({})); }

}  // namespace
}  // namespace ct::record
