#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "loadtest/PayloadStamp.hpp"

namespace ct::loadtest {
namespace {

TEST(PayloadStamp, ReadsBackWhatItWrote) {
  std::vector<uint8_t> data(100, 0);
  PayloadStamp s{513, 2, 0x0102030405060708};
  ASSERT_TRUE(s.write(data));
  auto r = PayloadStamp::read(data);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->source, 513);
  EXPECT_EQ(r->layer, 2);
  EXPECT_EQ(r->send_time_us, 0x0102030405060708);
  // The first bytes (a keyframe's frame header) are left alone.
  for (size_t i = 0; i < PayloadStamp::kOffset; ++i) EXPECT_EQ(data[i], 0) << i;
}

TEST(PayloadStamp, AgeIsTheTimeSinceTheStampedSendTime) {
  const TimePoint sent = TimePoint{} + seconds(1000);
  std::vector<uint8_t> data(64, 0);
  ASSERT_TRUE((PayloadStamp{3, 0, PayloadStamp::time_us(sent)}.write(data)));
  auto r = PayloadStamp::read(data);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->send_time_us, 1'000'000'000);
  EXPECT_EQ(r->age(sent + microseconds(420)), microseconds(420));
  EXPECT_LT(r->age(sent - microseconds(1)), Duration::zero());  // not sent yet: garbled
}

TEST(PayloadStamp, TooShortToHoldOneIsNeitherWrittenNorRead) {
  std::vector<uint8_t> data(PayloadStamp::kOffset + PayloadStamp::kSize - 1, 0);
  EXPECT_FALSE((PayloadStamp{0, 1, 5}.write(data)));
  std::vector<uint8_t> whole(PayloadStamp::kOffset + PayloadStamp::kSize, 0);
  ASSERT_TRUE((PayloadStamp{0, 1, 5}.write(whole)));
  // Every truncation of a stamped payload is refused.
  for (size_t n = 0; n < whole.size(); ++n)
    EXPECT_FALSE(PayloadStamp::read(std::span<const uint8_t>(whole).first(n))) << n;
  EXPECT_TRUE(PayloadStamp::read(whole));
}

TEST(PayloadStamp, GarbageWithoutTheTagIsNotAStamp) {
  std::vector<uint8_t> data(64);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 37 + 11);
  EXPECT_FALSE(PayloadStamp::read(data));
  ASSERT_TRUE((PayloadStamp{0, 0, 1}.write(data)));
  data[PayloadStamp::kOffset + 3] ^= 1;  // one bit of the tag
  EXPECT_FALSE(PayloadStamp::read(data));
}

}  // namespace
}  // namespace ct::loadtest
