#include "turn/TurnUdpSocket.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "EventLoopTestSupport.hpp"
#include "../../support/SendmmsgFaults.hpp"
#include "turn/EventLoop.hpp"
#include "turn/TurnStats.hpp"

namespace ct::turn {
namespace {

using test::LoopThread;
using test::on_loop;
using test::wait_for;

net::SocketAddress loopback(uint16_t port = 0) { return net::SocketAddress::v4({127, 0, 0, 1}, port); }

// A plain blocking-with-timeout socket on the other end.
class PlainSocket {
 public:
  PlainSocket() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    int bufsize = 1 << 20;  // room for a whole backlog of small datagrams
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~PlainSocket() { ::close(fd_); }
  uint16_t port() const { return port_; }
  void send_to(uint16_t port, const std::vector<uint8_t>& data) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  std::optional<std::vector<uint8_t>> receive(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    std::vector<uint8_t> buffer(2048);
    ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) return std::nullopt;
    buffer.resize(size_t(n));
    return buffer;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

std::vector<uint8_t> datagram(size_t size, uint8_t tag) {
  std::vector<uint8_t> d(size);
  for (size_t i = 0; i < size; ++i) d[i] = uint8_t(tag + i);
  return d;
}

TEST(TurnUdpSocket, RunsOfDatagramsToOneAddressArriveWholeAndInOrder) {
  EventLoop loop;
  TurnUdpSocket socket(loop, loopback());
  PlainSocket a, b;
  // Five equal, one shorter (one GSO run), then two to b, then a larger one to a.
  std::vector<std::pair<PlainSocket*, std::vector<uint8_t>>> sent;
  for (uint8_t i = 0; i < 5; ++i) sent.emplace_back(&a, datagram(1000, i));
  sent.emplace_back(&a, datagram(300, 9));
  sent.emplace_back(&b, datagram(500, 20));
  sent.emplace_back(&b, datagram(500, 21));
  sent.emplace_back(&a, datagram(1200, 30));
  for (auto& [to, data] : sent) socket.send(data, loopback(to->port()));
  socket.flush();
  for (auto& [from, data] : sent) {
    auto got = from->receive();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, data);
  }
  EXPECT_FALSE(a.receive(50));
  EXPECT_FALSE(b.receive(50));
  EXPECT_EQ(socket.stats().sent_packets, sent.size());
  EXPECT_EQ(socket.stats().send_errors, 0u);
  EXPECT_LE(socket.stats().send_syscalls, 1u);
  EXPECT_EQ(socket.stats().gso_sends, 2u);  // the runs of six and of two (Linux 4.18+ loopback)
}

TEST(TurnUdpSocket, OversizeDatagramIsRefused) {
  EventLoop loop;
  TurnUdpSocket socket(loop, loopback());
  std::vector<uint8_t> big(TurnUdpSocket::kMaxDatagram + 1);
  socket.send(big, loopback(9));
  EXPECT_EQ(socket.stats().send_errors, 1u);
}

TEST(EventLoopUdp, EchoesAndStopsPromptly) {
  EventLoop loop;
  TurnUdpSocket socket(loop, loopback());
  socket.start([&](std::span<uint8_t> d, const net::SocketAddress& from) { socket.send(d, from); });
  PlainSocket client;
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

TEST(EventLoopUdp, DrainsAFloodQueuedBeforeStartBeyondOneBoundedRound) {
  EventLoop loop;
  TurnUdpSocket socket(loop, loopback());
  PlainSocket client;
  constexpr size_t kFlood = 600;  // more than one drain's 8 * 32
  for (size_t i = 0; i < kFlood; ++i) client.send_to(socket.local_address().port(), datagram(20, uint8_t(i)));
  std::atomic<size_t> received{0};
  socket.start([&](std::span<uint8_t>, const net::SocketAddress&) { ++received; });
  LoopThread thread(loop);
  for (int i = 0; i < 200 && received < kFlood; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(received.load(), kFlood);
}

TEST(EventLoopUdp, SocketClosedByAnotherSocketsHandlerInTheSameTurnIsSkipped) {
  EventLoop loop;
  auto first = std::make_unique<TurnUdpSocket>(loop, loopback());
  auto second = std::make_unique<TurnUdpSocket>(loop, loopback());
  PlainSocket client;
  client.send_to(first->local_address().port(), datagram(10, 1));
  client.send_to(second->local_address().port(), datagram(10, 2));
  std::atomic<int> first_seen{0}, second_seen{0};
  // Both have data before the loop runs, so both drain in its first turn.
  first->start([&](std::span<uint8_t>, const net::SocketAddress&) {
    ++first_seen;
    second.reset();
  });
  second->start([&](std::span<uint8_t>, const net::SocketAddress&) { ++second_seen; });
  LoopThread thread(loop);
  for (int i = 0; i < 100 && first_seen == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  thread.stop();
  EXPECT_EQ(first_seen.load(), 1);
  EXPECT_EQ(second_seen.load(), 0);
}

TEST(EventLoopUdp, SendsFromPostedWorkAreFlushed) {
  EventLoop loop;
  TurnUdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const net::SocketAddress&) {});
  PlainSocket peer;
  LoopThread thread(loop);
  // Like TurnServer::allow_peer: a post from another thread.
  loop.post([&] { socket.send(datagram(64, 7), loopback(peer.port())); });
  auto got = peer.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, datagram(64, 7));
}

TEST(EventLoopUdp, SendsFromTimersAndDeferredWorkAreFlushed) {
  EventLoop loop;
  TurnUdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const net::SocketAddress&) {});
  PlainSocket peer;
  LoopThread thread(loop);
  loop.post([&] {
    loop.call_after(std::chrono::milliseconds(5), [&] { socket.send(datagram(64, 1), loopback(peer.port())); });
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
  TurnUdpSocket socket(loop, loopback());
  std::atomic<int> chained{0};
  socket.start([&](std::span<uint8_t>, const net::SocketAddress&) {
    loop.defer([&] { loop.post([&] { loop.defer([&] { ++chained; }); }); });
  });
  PlainSocket client;
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

// Sends `count` numbered datagrams of `size` bytes on the loop's thread.
void send_numbered(EventLoop& loop, TurnUdpSocket& socket, const net::SocketAddress& to, size_t count,
                   size_t size = 60) {
  std::atomic<bool> done{false};
  loop.post([&] {
    for (size_t i = 0; i < count; ++i) socket.send(datagram(size, uint8_t(i)), to);
    done = true;
  });
  while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void expect_numbered(PlainSocket& peer, size_t count, size_t size = 60) {
  for (size_t i = 0; i < count; ++i) {
    auto got = peer.receive();
    ASSERT_TRUE(got) << "datagram " << i << " of " << count;
    ASSERT_EQ(*got, datagram(size, uint8_t(i))) << "datagram " << i;
  }
  EXPECT_FALSE(peer.receive(50));
}

TEST(TurnUdpSocket, FullSendBufferDelaysDatagramsInsteadOfDroppingThem) {
  EventLoop loop;
  TurnUdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const net::SocketAddress&) {});
  PlainSocket peer;
  LoopThread thread(loop);
  ct::test::g_sendmmsg.refused = 0;
  ct::test::g_sendmmsg.eagain = 3;  // the first flush and two retries find no room
  constexpr size_t kCount = TurnUdpSocket::kBatch + 8;  // a full batch, the rest in the backlog
  send_numbered(loop, socket, loopback(peer.port()), kCount);
  expect_numbered(peer, kCount);
  thread.stop();
  ct::test::g_sendmmsg.eagain = 0;
  EXPECT_EQ(ct::test::g_sendmmsg.refused.load(), 3);
  EXPECT_EQ(socket.stats().blocked_sends, 3u);
  EXPECT_EQ(socket.stats().sent_packets, kCount);
  EXPECT_EQ(socket.stats().send_errors, 0u);
  EXPECT_EQ(socket.stats().backlog_drops, 0u);
}

TEST(TurnUdpSocket, PartialBatchSendResumesWhereTheKernelStopped) {
  EventLoop loop;
  TurnUdpSocket socket(loop, loopback());
  socket.start([](std::span<uint8_t>, const net::SocketAddress&) {});
  PlainSocket a, b;
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

TEST(TurnUdpSocket, BacklogIsBoundedAndCountsWhatItRefuses) {
  EventLoop loop;
  Counter server_drops;  // the server's dropped_send_full
  TurnUdpSocket socket(loop, loopback(), &server_drops);
  socket.start([](std::span<uint8_t>, const net::SocketAddress&) {});
  PlainSocket peer;
  LoopThread thread(loop);
  constexpr size_t kAccepted = TurnUdpSocket::kBatch + TurnUdpSocket::kMaxBacklog;
  ct::test::g_sendmmsg.full = true;
  std::atomic<bool> done{false};
  loop.post([&] {
    for (size_t i = 0; i < kAccepted + 5; ++i) socket.send(datagram(40, uint8_t(i)), loopback(peer.port()));
    done = true;
  });
  while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_FALSE(peer.receive(20));
  ct::test::g_sendmmsg.full = false;  // room again: the next EPOLLOUT sends everything accepted
  expect_numbered(peer, kAccepted, 40);
  thread.stop();
  EXPECT_EQ(socket.stats().backlog_drops, 5u);
  EXPECT_EQ(server_drops.get(), 5u);
  EXPECT_EQ(socket.stats().sent_packets, kAccepted);
  EXPECT_EQ(socket.stats().send_errors, 0u);
}

}  // namespace
}  // namespace ct::turn
