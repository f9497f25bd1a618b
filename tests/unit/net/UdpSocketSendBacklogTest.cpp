// What a UdpSocket does when the kernel's send buffer is full, under either
// loop: the rest waits, in order and bounded, for the socket to be writable.
// sendmmsg is the stand-in of SendmmsgFaults.hpp, so this is the one file of
// unit_net that includes it.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "../../support/EventLoopThread.hpp"
#include "../../support/PlainUdpSocket.hpp"
#include "../../support/SendmmsgFaults.hpp"
#include "net/EventLoop.hpp"
#include "net/UdpSocket.hpp"

namespace ct::net {
namespace {

using test::LoopThread;
using test::PlainUdpSocket;

SocketAddress loopback(uint16_t port = 0) { return SocketAddress::v4({127, 0, 0, 1}, port); }

std::vector<uint8_t> datagram(size_t size, uint8_t tag) {
  std::vector<uint8_t> d(size);
  for (size_t i = 0; i < size; ++i) d[i] = uint8_t(tag + i);
  return d;
}

}  // namespace

// Driven by Asio (media ports, the load client).

namespace {

std::vector<uint8_t> numbered(uint32_t n) {
  std::vector<uint8_t> d(100, uint8_t(n));
  d[0] = uint8_t(n >> 8);
  d[1] = uint8_t(n);
  return d;
}

// Polls `receiver` until `got` (its handler's record) holds `count`
// datagrams, or a second passed.
void receive_numbered(UdpSocket& receiver, const std::vector<uint32_t>& got, size_t count) {
  for (int i = 0; i < 1000 && got.size() < count; ++i) {
    receiver.poll();
    if (got.size() < count) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

// A sender (in the reactor unless a test says otherwise) and a polled
// receiver that records the numbers of what arrives.
class AsioSendBacklog : public ::testing::Test {
 protected:
  void SetUp() override {
    receiver.start_polled(
        [this](std::span<uint8_t> d, const SocketAddress&) { got.push_back(d[0] << 8 | d[1]); });
  }
  boost::asio::io_context io;
  UdpSocket sender{io, *SocketAddress::parse("127.0.0.1:0")};
  UdpSocket receiver{io, *SocketAddress::parse("127.0.0.1:0")};
  std::vector<uint32_t> got;
};

TEST_F(AsioSendBacklog, FullSendBufferDelaysDatagramsInsteadOfDroppingThem) {
  sender.start([](std::span<uint8_t>, const SocketAddress&) {});
  ct::test::g_sendmmsg.refused = 0;
  ct::test::g_sendmmsg.eagain = 3;  // the first flush and two retries find no room
  constexpr uint32_t kCount = UdpSocket::kBatch + 8;
  for (uint32_t n = 0; n < kCount; ++n) sender.send(numbered(n), receiver.local_address());
  sender.flush();
  io.run_for(std::chrono::milliseconds(200));  // the socket reports writable, the backlog leaves
  ct::test::g_sendmmsg.eagain = 0;
  receive_numbered(receiver, got, kCount);
  ASSERT_EQ(got.size(), kCount);
  for (uint32_t n = 0; n < kCount; ++n) EXPECT_EQ(got[n], n);
  EXPECT_EQ(ct::test::g_sendmmsg.refused.load(), 3);
  EXPECT_EQ(sender.stats().blocked_sends, 3u);
  EXPECT_EQ(sender.stats().sent_packets, kCount);
  EXPECT_EQ(sender.stats().send_errors, 0u);
  EXPECT_EQ(sender.stats().backlog_drops, 0u);
}

TEST_F(AsioSendBacklog, IsBoundedAndCountsWhatItRefuses) {
  sender.start([](std::span<uint8_t>, const SocketAddress&) {});
  ct::test::g_sendmmsg.full = true;
  constexpr uint32_t kAccepted = UdpSocket::kBatch + UdpSocket::kMaxBacklog;
  constexpr uint32_t kCount = kAccepted + 40;
  for (uint32_t n = 0; n < kCount; ++n) sender.send(numbered(n), receiver.local_address());
  sender.flush();
  EXPECT_EQ(sender.stats().backlog_drops, 40u);
  ct::test::g_sendmmsg.full = false;  // room again: the writable socket sends what was accepted
  io.run_for(std::chrono::milliseconds(200));
  receive_numbered(receiver, got, kAccepted);
  ASSERT_EQ(got.size(), kAccepted);
  for (uint32_t n = 0; n < kAccepted; ++n) EXPECT_EQ(got[n], n);  // the oldest kept, in order
  EXPECT_EQ(sender.stats().sent_packets, kAccepted);
  // Sending works normally again afterwards.
  sender.send(numbered(9999), receiver.local_address());
  sender.flush();
  receive_numbered(receiver, got, kAccepted + 1);
  EXPECT_EQ(got.size(), kAccepted + 1);
}

TEST_F(AsioSendBacklog, PolledSocketRetriesWhenPolled) {
  sender.start_polled([](std::span<uint8_t>, const SocketAddress&) {});
  ct::test::g_sendmmsg.eagain = 1;
  for (uint32_t n = 0; n < 5; ++n) sender.send(numbered(n), receiver.local_address());
  sender.flush();
  EXPECT_EQ(sender.stats().blocked_sends, 1u);
  sender.poll();
  receive_numbered(receiver, got, 5);
  EXPECT_EQ(got, (std::vector<uint32_t>{0, 1, 2, 3, 4}));
}

// Driven by net::EventLoop (TURN).

namespace {

// Sends `count` numbered datagrams of `size` bytes on the loop's thread.
void send_on_loop(EventLoop& loop, UdpSocket& socket, const SocketAddress& to, size_t count,
                  size_t size = 60) {
  std::atomic<bool> done{false};
  loop.post([&] {
    for (size_t i = 0; i < count; ++i) socket.send(datagram(size, uint8_t(i)), to);
    done = true;
  });
  while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void expect_tagged(PlainUdpSocket& peer, size_t count, size_t size = 60) {
  for (size_t i = 0; i < count; ++i) {
    auto got = peer.receive();
    ASSERT_TRUE(got) << "datagram " << i << " of " << count;
    ASSERT_EQ(*got, datagram(size, uint8_t(i))) << "datagram " << i;
  }
  EXPECT_FALSE(peer.receive(50));
}

TEST(EventLoopSendBacklog, FullSendBufferDelaysDatagramsInsteadOfDroppingThem) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const SocketAddress&) {});
  PlainUdpSocket peer;
  LoopThread thread(loop);
  ct::test::g_sendmmsg.refused = 0;
  ct::test::g_sendmmsg.eagain = 3;                  // the first flush and two retries find no room
  constexpr size_t kCount = UdpSocket::kBatch + 8;  // a full batch, the rest in the backlog
  send_on_loop(loop, socket, loopback(peer.port()), kCount);
  expect_tagged(peer, kCount);
  thread.stop();
  ct::test::g_sendmmsg.eagain = 0;
  EXPECT_EQ(ct::test::g_sendmmsg.refused.load(), 3);
  EXPECT_EQ(socket.stats().blocked_sends, 3u);
  EXPECT_EQ(socket.stats().sent_packets, kCount);
  EXPECT_EQ(socket.stats().send_errors, 0u);
  EXPECT_EQ(socket.stats().backlog_drops, 0u);
}

TEST(EventLoopSendBacklog, PartialBatchSendResumesWhereTheKernelStopped) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const SocketAddress&) {});
  PlainUdpSocket a, b;
  LoopThread thread(loop);
  // Three runs (a, b, a): the kernel takes the first, then has no room.
  ct::test::g_sendmmsg.partial = 1;
  ct::test::g_sendmmsg.eagain = 1;
  std::atomic<bool> done{false};
  loop.post([&] {
    for (uint8_t i = 0; i < 3; ++i) socket.send(datagram(100, i), loopback(a.port()));
    socket.send(datagram(80, 50), loopback(b.port()));
    for (uint8_t i = 3; i < 6; ++i) socket.send(datagram(100, i), loopback(a.port()));
    done = true;
  });
  while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (uint8_t i = 0; i < 6; ++i) {
    auto got = a.receive();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, datagram(100, i));
  }
  auto got = b.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, datagram(80, 50));
  EXPECT_FALSE(a.receive(50));
  thread.stop();
  ct::test::g_sendmmsg.partial = 0;
  ct::test::g_sendmmsg.eagain = 0;
  EXPECT_EQ(socket.stats().sent_packets, 7u);
  EXPECT_EQ(socket.stats().send_errors, 0u);
  EXPECT_EQ(socket.stats().blocked_sends, 1u);
}

// The batch leaves grouped by destination (a a, b b, c c); the kernel takes
// the first group and then has no room: what stays (b, c, b, c in slot order)
// leaves once writable, each destination's datagrams still in order, ahead
// of what was queued while blocked.
TEST(EventLoopSendBacklog, PartialSendOfAGroupedBatchKeepsEachDestinationsOrder) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const SocketAddress&) {});
  PlainUdpSocket a, b, c;
  LoopThread thread(loop);
  ct::test::g_sendmmsg.partial = 1;
  ct::test::g_sendmmsg.then_eagain = 1;
  std::atomic<bool> done{false};
  loop.post([&] {
    for (uint8_t packet = 0; packet < 2; ++packet) {
      socket.send(datagram(100, packet), loopback(a.port()));
      socket.send(datagram(80, uint8_t(10 + packet)), loopback(b.port()));
      socket.send(datagram(100, uint8_t(20 + packet)), loopback(c.port()));
    }
    socket.flush();  // the kernel takes a's two, then refuses: b and c wait
    socket.send(datagram(80, 12), loopback(b.port()));
    done = true;
  });
  while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (uint8_t i : {0, 1}) EXPECT_EQ(a.receive(), datagram(100, i));
  for (uint8_t i : {10, 11, 12}) EXPECT_EQ(b.receive(), datagram(80, i));
  for (uint8_t i : {20, 21}) EXPECT_EQ(c.receive(), datagram(100, i));
  EXPECT_FALSE(a.receive(20));
  EXPECT_FALSE(b.receive(20));
  EXPECT_FALSE(c.receive(20));
  thread.stop();
  ct::test::g_sendmmsg.partial = 0;
  ct::test::g_sendmmsg.eagain = 0;
  EXPECT_EQ(socket.stats().sent_packets, 7u);
  EXPECT_EQ(socket.stats().send_errors, 0u);
  EXPECT_EQ(socket.stats().blocked_sends, 1u);
}

TEST(EventLoopSendBacklog, BacklogIsBoundedAndCountsWhatItRefuses) {
  EventLoop loop;
  int observed_drops = 0;  // the TURN server's dropped_send_full
  UdpSocket socket(loop, loopback());
  socket.on_backlog_drop([&] { ++observed_drops; });
  socket.start([](std::span<uint8_t>, const SocketAddress&) {});
  PlainUdpSocket peer;
  LoopThread thread(loop);
  constexpr size_t kAccepted = UdpSocket::kBatch + UdpSocket::kMaxBacklog;
  ct::test::g_sendmmsg.full = true;
  std::atomic<bool> done{false};
  loop.post([&] {
    for (size_t i = 0; i < kAccepted + 5; ++i) socket.send(datagram(40, uint8_t(i)), loopback(peer.port()));
    done = true;
  });
  while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_FALSE(peer.receive(20));
  ct::test::g_sendmmsg.full = false;  // room again: the next EPOLLOUT sends everything accepted
  expect_tagged(peer, kAccepted, 40);
  thread.stop();
  EXPECT_EQ(socket.stats().backlog_drops, 5u);
  EXPECT_EQ(observed_drops, 5);
  EXPECT_EQ(socket.stats().sent_packets, kAccepted);
  EXPECT_EQ(socket.stats().send_errors, 0u);
}

}  // namespace
}  // namespace ct::net
