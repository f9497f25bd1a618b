// Truncated, corrupted and random input never crashes a parser, and the
// in-place rewrites keep their invariants.
#include <gtest/gtest.h>

#include <random>

#include "RtpExercise.hpp"
#include "RtpFixtures.hpp"

namespace ct::rtp {
namespace {

TEST(Robustness, EveryPrefixOfEveryFixture) {
  for (const char* name : {"chromium-rtp.hex", "chromium-rtcp.hex"}) {
    for (const test::FixtureLine& line : test::load_fixture(name)) {
      for (size_t length = 0; length <= line.bytes.size(); ++length) {
        const std::span<const uint8_t> prefix(line.bytes.data(), length);
        ASSERT_TRUE(test::exercise_rtp(prefix).ok) << name << ":" << line.line_number << " length " << length;
        ASSERT_TRUE(test::exercise_rtcp(prefix).ok)
            << name << ":" << line.line_number << " length " << length;
      }
    }
  }
}

TEST(Robustness, TruncatedRtcpIsMalformed) {
  for (const test::FixtureLine& line : test::load_fixture("chromium-rtcp.hex")) {
    for (size_t length = 1; length < line.bytes.size(); ++length) {
      // Every packet boundary is a multiple of 4; anything else cuts a packet.
      if (length % 4 != 0) {
        EXPECT_FALSE(RtcpCompound::validate(std::span(line.bytes).first(length)));
      }
    }
  }
}

TEST(Robustness, CorruptedFixtures) {
  std::mt19937 random(12345);
  for (const char* name : {"chromium-rtp.hex", "chromium-rtcp.hex"}) {
    for (test::FixtureLine& line : test::load_fixture(name)) {
      for (int round = 0; round < 200; ++round) {
        std::vector<uint8_t> bytes = line.bytes;
        // Corrupt the headers mostly: that is where the lengths and counts are.
        const size_t limit = std::min<size_t>(bytes.size(), round % 2 ? 64 : bytes.size());
        for (int flips = 0; flips < 1 + round % 4; ++flips) {
          bytes[random() % limit] ^= uint8_t(1u << (random() % 8));
        }
        ASSERT_TRUE(test::exercise_rtp(bytes).ok);
        ASSERT_TRUE(test::exercise_rtcp(bytes).ok);
      }
    }
  }
}

TEST(Robustness, RandomGarbage) {
  std::mt19937 random(777);
  std::vector<uint8_t> bytes;
  for (int round = 0; round < 20000; ++round) {
    bytes.resize(random() % 120);
    for (uint8_t& b : bytes) b = uint8_t(random());
    // Make most of them look like RTP/RTCP so the parsers go deep.
    if (!bytes.empty() && round % 4 != 0) bytes[0] = uint8_t(0x80 | (bytes[0] & 0x3F));
    if (bytes.size() > 1 && round % 3 == 0) bytes[1] = uint8_t(200 + random() % 7);
    if (bytes.size() > 3 && round % 5 == 0) {
      bytes[2] = 0;
      bytes[3] = uint8_t(bytes.size() / 4 - 1);
    }
    ASSERT_TRUE(test::exercise_rtp(bytes).ok);
    ASSERT_TRUE(test::exercise_rtcp(bytes).ok);
  }
}

}  // namespace
}  // namespace ct::rtp
