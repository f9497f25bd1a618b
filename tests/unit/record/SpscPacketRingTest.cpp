// The ring between the media thread and a recording writer thread: packets
// come out as they went in, a full ring refuses rather than waits, and two
// threads at full speed lose and corrupt nothing.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "record/SpscPacketRing.hpp"

namespace ct::record {
namespace {

using PushResult = SpscPacketRing::PushResult;

std::vector<uint8_t> numbered(uint32_t n, size_t size) {
  std::vector<uint8_t> packet(size);
  for (size_t i = 0; i < size; ++i) packet[i] = uint8_t(n * 31 + i);
  return packet;
}

TEST(SpscPacketRing, PacketsComeOutInOrderWithTheirArrivalTimes) {
  SpscPacketRing ring(4, 64);
  ASSERT_EQ(ring.push(numbered(1, 10), 100), PushResult::Ok);
  ASSERT_EQ(ring.push(numbered(2, 64), 200), PushResult::Ok);
  std::vector<std::pair<std::vector<uint8_t>, int64_t>> out;
  EXPECT_EQ(ring.consume([&](std::span<uint8_t> p, int64_t t) {
    out.emplace_back(std::vector(p.begin(), p.end()), t);
  }),
            2u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first, numbered(1, 10));
  EXPECT_EQ(out[0].second, 100);
  EXPECT_EQ(out[1].first, numbered(2, 64));
  EXPECT_EQ(out[1].second, 200);
  EXPECT_EQ(ring.size(), 0u);
}

TEST(SpscPacketRing, AFullRingRefusesAndTakesAgainOnceDrained) {
  SpscPacketRing ring(3, 16);  // rounded up to 4
  EXPECT_EQ(ring.capacity(), 4u);
  EXPECT_EQ(ring.memory_bytes(), 4u * (16 + 16));
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(ring.push(numbered(i, 8), i), PushResult::Ok);
  EXPECT_EQ(ring.push(numbered(9, 8), 9), PushResult::Full);
  EXPECT_EQ(ring.consume([](auto, auto) {}, 1), 1u);  // one slot free
  EXPECT_EQ(ring.push(numbered(4, 8), 4), PushResult::Ok);
  EXPECT_EQ(ring.push(numbered(9, 8), 9), PushResult::Full);
  std::vector<int64_t> times;
  ring.consume([&](auto, int64_t t) { times.push_back(t); });
  EXPECT_EQ(times, (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST(SpscPacketRing, APacketLargerThanASlotIsRefused) {
  SpscPacketRing ring(4, 16);
  EXPECT_EQ(ring.push(numbered(1, 17), 0), PushResult::TooLarge);
  EXPECT_EQ(ring.size(), 0u);
}

TEST(SpscPacketRing, TwoThreadsPassPacketsIntactAtFullSpeed) {
  SpscPacketRing ring(64, 32);
  constexpr uint32_t kPackets = 200'000;
  std::thread producer([&] {
    for (uint32_t i = 0; i < kPackets;) {
      const auto packet = numbered(i, 1 + i % 32);
      if (ring.push(packet, i) == PushResult::Ok) ++i;
    }
  });
  uint32_t next = 0;
  bool intact = true;
  while (next < kPackets) {
    ring.consume([&](std::span<uint8_t> packet, int64_t arrival) {
      const auto expected = numbered(next, 1 + next % 32);
      intact = intact && arrival == int64_t(next) &&
               std::equal(packet.begin(), packet.end(), expected.begin(), expected.end());
      ++next;
    });
  }
  producer.join();
  EXPECT_TRUE(intact);
  EXPECT_EQ(next, kPackets);
}

}  // namespace
}  // namespace ct::record
