// RetransmissionBuffer: slots by sequence number, wrap-around, eviction, age.
#include "sfu/RetransmissionBuffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace ct::sfu {
namespace {

const TimePoint t0 = TimePoint{} + seconds(100);

std::vector<uint8_t> packet_of(uint16_t seq, size_t size = 100) {
  std::vector<uint8_t> bytes(size, uint8_t(seq));
  bytes[0] = 0x80;
  bytes[1] = uint8_t(seq >> 8);
  return bytes;
}

bool holds(const RetransmissionBuffer& buffer, uint16_t seq, TimePoint now, size_t size = 100) {
  const auto found = buffer.find(seq, now);
  if (!found) return false;
  const std::vector<uint8_t> expected = packet_of(seq, size);
  return std::equal(found->begin(), found->end(), expected.begin(), expected.end());
}

TEST(RetransmissionBuffer, CapacityRoundsUpToPowerOfTwo) {
  EXPECT_EQ(RetransmissionBuffer(1000).capacity(), 1024u);
  EXPECT_EQ(RetransmissionBuffer(1024).capacity(), 1024u);
  EXPECT_EQ(RetransmissionBuffer(0).capacity(), 1u);
  EXPECT_EQ(RetransmissionBuffer(100000).capacity(), 65536u);
}

TEST(RetransmissionBuffer, StoresAndFindsCopies) {
  RetransmissionBuffer buffer(16);
  std::vector<uint8_t> original = packet_of(7, 1200);
  buffer.store(original, 7, t0);
  std::fill(original.begin(), original.end(), 0);  // the buffer holds its own copy
  EXPECT_TRUE(holds(buffer, 7, t0, 1200));
  EXPECT_FALSE(buffer.find(8, t0));
}

TEST(RetransmissionBuffer, WrapsAroundSequenceNumbers) {
  RetransmissionBuffer buffer(8);
  for (uint16_t seq = 65532; seq != 4; ++seq) buffer.store(packet_of(seq), seq, t0);
  for (uint16_t seq = 65532; seq != 4; ++seq) EXPECT_TRUE(holds(buffer, seq, t0)) << seq;
  EXPECT_FALSE(buffer.find(65531, t0));
}

TEST(RetransmissionBuffer, NewerPacketEvictsTheSlot) {
  RetransmissionBuffer buffer(16);
  buffer.store(packet_of(5), 5, t0);
  buffer.store(packet_of(21, 200), 21, t0);  // 21 & 15 == 5
  EXPECT_FALSE(buffer.find(5, t0));
  EXPECT_TRUE(holds(buffer, 21, t0, 200));
}

TEST(RetransmissionBuffer, ExpiresAfterMaxAge) {
  RetransmissionBuffer buffer(16, milliseconds(1000));
  buffer.store(packet_of(1), 1, t0);
  EXPECT_TRUE(buffer.find(1, t0 + milliseconds(999)));
  EXPECT_FALSE(buffer.find(1, t0 + milliseconds(1000)));
}

TEST(RetransmissionBuffer, RefusesOversizeAndEmptyPackets) {
  RetransmissionBuffer buffer(16);
  buffer.store(packet_of(1, RetransmissionBuffer::kSlotSize + 1), 1, t0);
  EXPECT_FALSE(buffer.find(1, t0));
  buffer.store({}, 2, t0);
  EXPECT_FALSE(buffer.find(2, t0));
  buffer.store(packet_of(3, RetransmissionBuffer::kSlotSize), 3, t0);
  EXPECT_TRUE(holds(buffer, 3, t0, RetransmissionBuffer::kSlotSize));
}

TEST(RetransmissionBuffer, ClearForgetsEverything) {
  RetransmissionBuffer buffer(16);
  buffer.store(packet_of(1), 1, t0);
  buffer.clear();
  EXPECT_FALSE(buffer.find(1, t0));
  buffer.store(packet_of(1), 1, t0);
  EXPECT_TRUE(holds(buffer, 1, t0));
}

TEST(RetransmissionBuffer, UnusedSlotIsNotSequenceZero) {
  RetransmissionBuffer buffer(16);
  EXPECT_FALSE(buffer.find(0, TimePoint{}));
}

}  // namespace
}  // namespace ct::sfu
