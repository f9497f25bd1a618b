// UdpSocket driven by net::EventLoop (the TURN thread): receiving, the
// end-of-turn flush of sends made from handlers, posted work, timers and
// deferred work, and sockets closed by other sockets' handlers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "../../support/EventLoopThread.hpp"
#include "../../support/PlainUdpSocket.hpp"
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

TEST(EventLoopUdp, EchoesAndStopsPromptly) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  socket.start([&](std::span<uint8_t> d, const SocketAddress& from) { socket.send(d, from); });
  PlainUdpSocket client;
  {
    LoopThread thread(loop);
    for (uint8_t i = 0; i < 50; ++i) {
      auto d = datagram(100 + i, i);
      client.send_to(socket.local_address().port(), d);
      auto got = client.receive();
      ASSERT_TRUE(got);
      EXPECT_EQ(*got, d);
    }
    auto t0 = std::chrono::steady_clock::now();
    thread.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
  }
  EXPECT_GE(loop.stats().wakeups, 1u);
}

TEST(EventLoopUdp, RepliesMadeInOneTurnLeaveInOneSystemCall) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  PlainUdpSocket client;
  constexpr size_t kCount = 20;  // waiting before the loop runs: one read, one turn
  for (size_t i = 0; i < kCount; ++i)
    client.send_to(socket.local_address().port(), datagram(100, uint8_t(i)));
  socket.start([&](std::span<uint8_t> d, const SocketAddress& from) { socket.send(d, from); });
  LoopThread thread(loop);
  for (size_t i = 0; i < kCount; ++i) {
    auto got = client.receive();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, datagram(100, uint8_t(i)));
  }
  thread.stop();
  EXPECT_EQ(socket.stats().receive_syscalls, 1u);
  EXPECT_EQ(socket.stats().send_syscalls, 1u);
  EXPECT_EQ(socket.stats().gso_sends, 1u);  // equal sizes to one address: one GSO send
  EXPECT_EQ(socket.stats().sent_packets, kCount);
}

TEST(EventLoopUdp, DrainsAFloodQueuedBeforeStartBeyondOneBoundedRound) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  PlainUdpSocket client;
  constexpr size_t kFlood = 600;  // more than one drain's 8 * 32
  for (size_t i = 0; i < kFlood; ++i) client.send_to(socket.local_address().port(), datagram(20, uint8_t(i)));
  std::atomic<size_t> received{0};
  socket.start([&](std::span<uint8_t>, const SocketAddress&) { ++received; });
  LoopThread thread(loop);
  for (int i = 0; i < 200 && received < kFlood; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(received.load(), kFlood);
}

TEST(EventLoopUdp, SocketClosedByAnotherSocketsHandlerInTheSameTurnIsSkipped) {
  EventLoop loop;
  auto first = std::make_unique<UdpSocket>(loop, loopback());
  auto second = std::make_unique<UdpSocket>(loop, loopback());
  PlainUdpSocket client;
  client.send_to(first->local_address().port(), datagram(10, 1));
  client.send_to(second->local_address().port(), datagram(10, 2));
  std::atomic<int> first_seen{0}, second_seen{0};
  // Both have data before the loop runs, so both drain in its first turn.
  first->start([&](std::span<uint8_t>, const SocketAddress&) {
    ++first_seen;
    second.reset();
  });
  second->start([&](std::span<uint8_t>, const SocketAddress&) { ++second_seen; });
  LoopThread thread(loop);
  for (int i = 0; i < 100 && first_seen == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  thread.stop();
  EXPECT_EQ(first_seen.load(), 1);
  EXPECT_EQ(second_seen.load(), 0);
}

TEST(EventLoopUdp, SendsFromPostedWorkAreFlushed) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const SocketAddress&) {});
  PlainUdpSocket peer;
  LoopThread thread(loop);
  // Like TurnServer::allow_peer: a post from another thread.
  loop.post([&] { socket.send(datagram(64, 7), loopback(peer.port())); });
  auto got = peer.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, datagram(64, 7));
}

TEST(EventLoopUdp, SendsFromTimersAndDeferredWorkAreFlushed) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const SocketAddress&) {});
  PlainUdpSocket peer;
  LoopThread thread(loop);
  loop.post([&] {
    loop.call_after(std::chrono::milliseconds(5),
                    [&] { socket.send(datagram(64, 1), loopback(peer.port())); });
    loop.defer([&] { socket.send(datagram(64, 2), loopback(peer.port())); });
  });
  auto first = peer.receive();
  auto second = peer.receive();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, datagram(64, 2));
  EXPECT_EQ(*second, datagram(64, 1));
}

// What a UDP handler defers or posts (a closed connection's cleanup, a
// control change) runs at once, not when the loop next has I/O of its own.
TEST(EventLoopUdp, WorkPostedFromAUdpHandlerRunsPromptly) {
  EventLoop loop;
  UdpSocket socket(loop, loopback());
  std::atomic<int> chained{0};
  socket.start([&](std::span<uint8_t>, const SocketAddress&) {
    loop.defer([&] { loop.post([&] { loop.defer([&] { ++chained; }); }); });
  });
  PlainUdpSocket client;
  LoopThread thread(loop);
  for (int round = 1; round <= 5; ++round) {
    client.send_to(socket.local_address().port(), datagram(10, uint8_t(round)));
    auto t0 = std::chrono::steady_clock::now();
    while (chained < round && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(chained.load(), round);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
  }
}

}  // namespace
}  // namespace ct::net
