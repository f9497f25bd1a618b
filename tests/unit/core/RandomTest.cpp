#include "core/Random.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

namespace ct {
namespace {

TEST(RandomSequenceStart, StaysBelowHalfTheSequenceSpaceAndVaries) {
  // A receiver that misses the packets before a wrap guesses the SRTP
  // rollover counter wrong; a start below 2^15 leaves 32768 packets first.
  std::set<uint16_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const uint16_t start = random_sequence_start();
    ASSERT_LT(start, 0x8000);
    seen.insert(start);
  }
  EXPECT_GT(seen.size(), 1900u);  // 2000 draws from 32768 values rarely repeat much
}

TEST(RandomIceString, UsesTheIceAlphabet) {
  const std::string s = random_ice_string(64);
  ASSERT_EQ(s.size(), 64u);
  for (char c : s) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') << c;
}

}  // namespace
}  // namespace ct
