// Packets back in sequence order: reordering undone, duplicates and late
// packets dropped, a lost packet waited for until the window is full.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "record/RtpReorderBuffer.hpp"

namespace ct::record {
namespace {

class Collect : public RtpReorderBuffer::Listener {
 public:
  void on_ordered_packet(const RtpReorderBuffer::Packet& packet) override {
    sequence_numbers.push_back(packet.sequence_number);
    timestamps.push_back(packet.timestamp);
    payloads.emplace_back(packet.payload.begin(), packet.payload.end());
  }
  std::vector<uint16_t> sequence_numbers;
  std::vector<uint32_t> timestamps;
  std::vector<std::vector<uint8_t>> payloads;
};

class RtpReorderBufferTest : public ::testing::Test {
 protected:
  void push(uint16_t sequence_number) {
    const std::vector<uint8_t> payload = {uint8_t(sequence_number), uint8_t(sequence_number >> 8), 0x5A};
    buffer.push(sequence_number, uint32_t(sequence_number) * 960, payload);
  }
  Collect out;
  RtpReorderBuffer buffer{out, 8, 100};
};

TEST_F(RtpReorderBufferTest, PacketsGoOutWithTheirDataOnceHalfTheWindowCame) {
  for (uint16_t s = 10; s < 14; ++s) push(s);
  EXPECT_TRUE(out.sequence_numbers.empty());  // the first might still be overtaken
  push(14);
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{10, 11, 12, 13, 14}));
  push(15);  // from now on at once
  EXPECT_EQ(out.sequence_numbers.size(), 6u);
  EXPECT_EQ(out.timestamps[2], 12u * 960);
  EXPECT_EQ(out.payloads[2], (std::vector<uint8_t>{12, 0, 0x5A}));
  EXPECT_EQ(buffer.stats().packets, 6u);
}

TEST_F(RtpReorderBufferTest, AFirstPacketOvertakenByTheNextOnesStillGoesOutFirst) {
  for (uint16_t s : {12, 13, 10, 11, 14}) push(s);
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{10, 11, 12, 13, 14}));
  EXPECT_EQ(buffer.stats().late, 0u);
  EXPECT_EQ(buffer.stats().lost, 0u);
}

TEST_F(RtpReorderBufferTest, ReorderedPacketsGoOutInSequenceOrderAcrossTheWrap) {
  for (uint16_t s : {65533, 65535, 65534, 1, 0, 3, 2, 4}) push(s);
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{65533, 65534, 65535, 0, 1, 2, 3, 4}));
  EXPECT_EQ(buffer.stats().lost, 0u);
}

TEST_F(RtpReorderBufferTest, ALostPacketIsWaitedForUntilTheWindowIsFull) {
  push(100);
  for (uint16_t s = 102; s < 108; ++s) push(s);  // 101 missing; 7 numbers held
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{100}));
  push(108);  // 101..108 is the whole window of 8 ...
  EXPECT_EQ(out.sequence_numbers.size(), 1u);
  push(109);  // ... and 109 needs 101's place
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{100, 102, 103, 104, 105, 106, 107, 108, 109}));
  EXPECT_EQ(buffer.stats().lost, 1u);
  push(101);  // too late now
  EXPECT_EQ(buffer.stats().late, 1u);
  EXPECT_EQ(out.sequence_numbers.size(), 9u);
}

TEST_F(RtpReorderBufferTest, DuplicatesAreDroppedOnce) {
  for (uint16_t s = 1; s <= 6; ++s) push(s);
  push(3);  // already out: late
  push(8);
  push(8);
  push(7);
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(buffer.stats().duplicates, 1u);
  EXPECT_EQ(buffer.stats().late, 1u);
}

TEST_F(RtpReorderBufferTest, AJumpFarAheadSkipsWhatNoLongerFitsTheWindow) {
  push(1);
  push(3);
  push(1000);  // the window becomes 993..1000: 993..999 may still come
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{1, 3}));
  EXPECT_EQ(buffer.stats().lost, 1u + (992u - 3u));
  push(999);
  buffer.finish();
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{1, 3, 999, 1000}));
  EXPECT_EQ(buffer.stats().lost, 1u + (998u - 3u));
}

TEST_F(RtpReorderBufferTest, FinishHandsOutWhatWaitsBehindAGap) {
  push(1);
  push(3);
  push(4);
  buffer.finish();
  EXPECT_EQ(out.sequence_numbers, (std::vector<uint16_t>{1, 3, 4}));
  EXPECT_EQ(buffer.stats().lost, 1u);
}

TEST_F(RtpReorderBufferTest, APayloadLargerThanASlotIsDroppedAndCounted) {
  buffer.push(1, 0, std::vector<uint8_t>(101));
  EXPECT_EQ(buffer.stats().oversized, 1u);
  EXPECT_TRUE(out.sequence_numbers.empty());
}

}  // namespace
}  // namespace ct::record
