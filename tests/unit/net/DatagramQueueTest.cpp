#include "net/DatagramQueue.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace ct::net;

namespace {

std::vector<uint8_t> datagram(uint8_t tag, size_t size = 10) { return std::vector<uint8_t>(size, tag); }
SocketAddress address(uint16_t port) { return SocketAddress::v4({127, 0, 0, 1}, port); }

}  // namespace

TEST(DatagramQueue, KeepsOrderAcrossTheEndOfItsRing) {
  DatagramQueue queue(4);
  uint8_t next_in = 0, next_out = 0;
  // Ten rounds of three in, three out wrap the ring several times.
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 3; ++i, ++next_in) ASSERT_TRUE(queue.push(datagram(next_in, 10 + next_in), address(next_in)));
    ASSERT_EQ(queue.size(), 3u);
    for (int i = 0; i < 3; ++i, ++next_out) {
      const auto front = queue.at(0);
      EXPECT_EQ(front.bytes.size(), 10u + next_out);
      EXPECT_EQ(front.bytes[0], next_out);
      EXPECT_EQ(front.to, address(next_out));
      queue.pop();
    }
    EXPECT_TRUE(queue.empty());
  }
}

TEST(DatagramQueue, FullOrOversizeIsRefusedAndNothingIsStored) {
  DatagramQueue queue(2);
  EXPECT_FALSE(queue.push(datagram(9, DatagramQueue::kMaxDatagram + 1), address(1)));
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(queue.push(datagram(1, DatagramQueue::kMaxDatagram), address(1)));
  EXPECT_TRUE(queue.push(datagram(2), address(2)));
  EXPECT_FALSE(queue.push(datagram(3), address(3)));
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.at(1).bytes[0], 2);
  queue.pop(5);  // more than it holds: empties it
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(queue.push(datagram(4), address(4)));
  queue.clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.capacity(), 2u);
}

TEST(DatagramQueue, ZeroCapacityRefusesEverything) {
  DatagramQueue queue(0);
  EXPECT_FALSE(queue.push(datagram(1), address(1)));
  queue.pop();
  EXPECT_TRUE(queue.empty());
}
