#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <thread>
#include <utility>
#include <vector>

#include "../../support/PlainUdpSocket.hpp"
#include "net/BoundUdpSocket.hpp"
#include "net/PacketKind.hpp"
#include "net/UdpSocket.hpp"

using namespace ct::net;

TEST(UdpSocket, BatchedSendAndReceiveOnLoopback) {
  boost::asio::io_context io;
  auto loopback = *SocketAddress::parse("127.0.0.1:0");
  UdpSocket a(io, loopback);
  UdpSocket b(io, loopback);
  std::vector<std::vector<uint8_t>> got;
  SocketAddress sender;
  b.start([&](std::span<uint8_t> d, const SocketAddress& from) {
    got.emplace_back(d.begin(), d.end());
    sender = from;
    if (got.size() == 100) io.stop();
  });
  a.start([](std::span<uint8_t>, const SocketAddress&) {});
  for (int i = 0; i < 100; ++i) {
    std::vector<uint8_t> p(200, uint8_t(i));
    a.send(p, b.local_address());
  }
  io.run_for(std::chrono::seconds(5));
  ASSERT_EQ(got.size(), 100u);
  EXPECT_EQ(got[42][0], 42);
  EXPECT_EQ(sender, a.local_address());
  // 100 datagrams in batches of 32 take at most 4 sendmmsg calls.
  EXPECT_LE(a.stats().send_syscalls, 4u);
  EXPECT_EQ(a.stats().sent_packets, 100u);
  EXPECT_EQ(a.stats().sent_bytes, 100u * 200u);
  EXPECT_EQ(b.stats().received_packets, 100u);
  EXPECT_EQ(b.stats().received_bytes, 100u * 200u);
}

namespace {

std::vector<uint8_t> datagram(size_t size, uint8_t tag) {
  std::vector<uint8_t> d(size);
  for (size_t i = 0; i < size; ++i) d[i] = uint8_t(tag + i);
  return d;
}

SocketAddress loopback_port(uint16_t port) { return SocketAddress::v4({127, 0, 0, 1}, port); }

}  // namespace

// Whichever loop drives the socket, a run of equal-size datagrams to one
// address leaves as one GSO send and arrives as the datagrams it was.
TEST(UdpSocket, RunsOfDatagramsToOneAddressArriveWholeAndInOrder) {
  boost::asio::io_context io;
  UdpSocket socket(io, *SocketAddress::parse("127.0.0.1:0"));
  ct::test::PlainUdpSocket a, b;
  // Five equal, one shorter (one GSO run), then two to b, then a larger one to a.
  std::vector<std::pair<ct::test::PlainUdpSocket*, std::vector<uint8_t>>> sent;
  for (uint8_t i = 0; i < 5; ++i) sent.emplace_back(&a, datagram(1000, i));
  sent.emplace_back(&a, datagram(300, 9));
  sent.emplace_back(&b, datagram(500, 20));
  sent.emplace_back(&b, datagram(500, 21));
  sent.emplace_back(&a, datagram(1200, 30));
  size_t bytes = 0;
  for (auto& [to, data] : sent) {
    socket.send(data, loopback_port(to->port()));
    bytes += data.size();
  }
  socket.flush();
  for (auto& [from, data] : sent) {
    auto got = from->receive();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, data);
  }
  EXPECT_FALSE(a.receive(50));
  EXPECT_FALSE(b.receive(50));
  EXPECT_EQ(socket.stats().sent_packets, sent.size());
  EXPECT_EQ(socket.stats().sent_bytes, bytes);
  EXPECT_EQ(socket.stats().send_errors, 0u);
  EXPECT_LE(socket.stats().send_syscalls, 1u);
  EXPECT_EQ(socket.stats().gso_sends, 2u);  // the runs of six and of two (Linux 4.18+ loopback)
}

// A fan-out queues each packet's copies one destination after another; the
// batch leaves grouped by destination, so each subscriber's copies of the
// turn's packets make one GSO send, and each arrives in the order queued.
TEST(UdpSocket, CopiesToOneAddressAmongOthersLeaveAsOneGsoSendInOrder) {
  boost::asio::io_context io;
  UdpSocket socket(io, *SocketAddress::parse("127.0.0.1:0"));
  ct::test::PlainUdpSocket a, b, c;
  ct::test::PlainUdpSocket* subscribers[] = {&a, &b, &c};
  for (uint8_t packet = 0; packet < 4; ++packet)
    for (auto* to : subscribers) socket.send(datagram(1100, packet), loopback_port(to->port()));
  socket.flush();
  for (auto* from : subscribers) {
    for (uint8_t packet = 0; packet < 4; ++packet) {
      auto got = from->receive();
      ASSERT_TRUE(got);
      EXPECT_EQ(*got, datagram(1100, packet));
    }
    EXPECT_FALSE(from->receive(20));
  }
  EXPECT_EQ(socket.stats().sent_packets, 12u);
  EXPECT_EQ(socket.stats().send_errors, 0u);
  EXPECT_EQ(socket.stats().send_syscalls, 1u);
  EXPECT_EQ(socket.stats().gso_sends, 3u);  // one per subscriber, four datagrams each
}

// A destination the kernel refuses (an IPv6 address from an IPv4 socket)
// loses its own datagrams, counted; the others' still leave, in order.
TEST(UdpSocket, AnErrorForOneDestinationDropsOnlyItsDatagrams) {
  boost::asio::io_context io;
  UdpSocket socket(io, *SocketAddress::parse("127.0.0.1:0"));
  ct::test::PlainUdpSocket a;
  const auto unreachable = *SocketAddress::parse("[::1]:9");
  for (uint8_t i = 0; i < 3; ++i) {
    socket.send(datagram(500, i), loopback_port(a.port()));
    socket.send(datagram(500, uint8_t(100 + i)), unreachable);
  }
  socket.flush();
  for (uint8_t i = 0; i < 3; ++i) {
    auto got = a.receive();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, datagram(500, i));
  }
  EXPECT_FALSE(a.receive(20));
  EXPECT_EQ(socket.stats().sent_packets, 3u);
  EXPECT_EQ(socket.stats().send_errors, 3u);
}

// Receive buffers are shared by the thread's sockets: a handler that reads
// another socket must not overwrite the datagram it is handling. That read
// waits for the next poll.
TEST(UdpSocket, HandlerReadingAnotherSocketDoesNotOverwriteItsDatagram) {
  boost::asio::io_context io;
  auto loopback = *SocketAddress::parse("127.0.0.1:0");
  UdpSocket sender(io, loopback), outer(io, loopback), inner(io, loopback);
  std::vector<uint8_t> inner_got, outer_got;
  inner.start_polled([&](std::span<uint8_t> d, const SocketAddress&) { inner_got.push_back(d[0]); });
  outer.start_polled([&](std::span<uint8_t> d, const SocketAddress&) {
    inner.poll();
    outer_got.push_back(d[0]);
  });
  sender.send(std::vector<uint8_t>(10, 1), outer.local_address());
  sender.send(std::vector<uint8_t>(10, 2), inner.local_address());
  sender.flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  outer.poll();
  EXPECT_EQ(outer_got, std::vector<uint8_t>{1});
  EXPECT_TRUE(inner_got.empty());
  inner.poll();
  EXPECT_EQ(inner_got, std::vector<uint8_t>{2});
}

TEST(UdpSocket, HandlerClosingItsSocketGetsNoMoreDatagrams) {
  boost::asio::io_context io;
  auto loopback = *SocketAddress::parse("127.0.0.1:0");
  UdpSocket sender(io, loopback), receiver(io, loopback);
  int calls = 0;
  receiver.start([&](std::span<uint8_t>, const SocketAddress&) {
    ++calls;
    receiver.close();
  });
  for (int i = 0; i < 5; ++i) sender.send(std::vector<uint8_t>(10, uint8_t(i)), receiver.local_address());
  sender.flush();
  io.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(calls, 1);
}

TEST(UdpSocket, PolledSocketReceivesOnlyWhenPolled) {
  boost::asio::io_context io;
  auto loopback = *SocketAddress::parse("127.0.0.1:0");
  UdpSocket sender(io, loopback);
  UdpSocket polled(io, loopback);
  std::vector<uint8_t> firsts;
  polled.start_polled([&](std::span<uint8_t> d, const SocketAddress&) { firsts.push_back(d[0]); });
  for (uint8_t i = 0; i < 40; ++i) {
    std::vector<uint8_t> p(100, i);
    sender.send(p, polled.local_address());
  }
  sender.flush();
  // The reactor never hears of the polled socket: running it delivers nothing.
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(firsts.empty());
  polled.poll();
  ASSERT_EQ(firsts.size(), 40u);
  EXPECT_EQ(firsts[39], 39);
  polled.poll();  // nothing new: no handler call, no error
  EXPECT_EQ(firsts.size(), 40u);
  EXPECT_EQ(polled.stats().received_packets, 40u);
}

TEST(UdpSocket, PollOnAReactorSocketOrAfterCloseDoesNothing) {
  boost::asio::io_context io;
  auto loopback = *SocketAddress::parse("127.0.0.1:0");
  UdpSocket sender(io, loopback);
  UdpSocket watched(io, loopback);
  int calls = 0;
  watched.start([&](std::span<uint8_t>, const SocketAddress&) { ++calls; });
  std::vector<uint8_t> p(10, 1);
  sender.send(p, watched.local_address());
  sender.flush();
  watched.poll();  // only the reactor reads a started socket
  EXPECT_EQ(calls, 0);
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_EQ(calls, 1);

  UdpSocket polled(io, loopback);
  polled.start_polled([&](std::span<uint8_t>, const SocketAddress&) { ++calls; });
  auto address = polled.local_address();
  polled.close();
  polled.poll();
  EXPECT_EQ(calls, 1);
  // Closing a socket that never joined the reactor still releases its port.
  UdpSocket again(io, address);
  EXPECT_EQ(again.local_address(), address);
}

// Bursts (a keyframe fanned out to many subscribers) need big kernel
// buffers: the socket gets the size asked for, or at least what the
// kernel's ceiling allows an unprivileged process.
TEST(BoundUdpSocket, BuffersAreAsLargeAsTheKernelAllows) {
  auto ceiling = [](const char* path) {
    std::ifstream in(path);
    long value = 0;
    in >> value;
    return value;
  };
  const int fd = open_bound_udp_socket(*SocketAddress::parse("127.0.0.1:0"));
  for (auto [option, path] : {std::pair{SO_RCVBUF, "/proc/sys/net/core/rmem_max"},
                              std::pair{SO_SNDBUF, "/proc/sys/net/core/wmem_max"}}) {
    int granted = 0;
    socklen_t len = sizeof(granted);
    ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, option, &granted, &len), 0);
    const long expected = std::min<long>(kUdpSocketBufferBytes, ceiling(path));
    EXPECT_GE(granted / 2, expected) << path;  // the kernel reports twice the size
  }
  ::close(fd);
}

TEST(UdpSocket, OversizedDatagramIsRefused) {
  boost::asio::io_context io;
  UdpSocket a(io, *SocketAddress::parse("127.0.0.1:0"));
  std::vector<uint8_t> big(UdpSocket::kMaxDatagram + 1);
  a.send(big, a.local_address());
  EXPECT_EQ(a.stats().send_errors, 1u);
}

TEST(UdpSocket, BindFailureNamesTheAddress) {
  boost::asio::io_context io;
  UdpSocket a(io, *SocketAddress::parse("127.0.0.1:0"));
  try {
    UdpSocket b(io, a.local_address());
    FAIL() << "second bind succeeded";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1"), std::string::npos);
  }
}

TEST(PacketKind, Rfc7983FirstByteRanges) {
  auto kind = [](uint8_t b) { return classify_packet(std::span<const uint8_t>(&b, 1)); };
  EXPECT_EQ(kind(0), PacketKind::Stun);
  EXPECT_EQ(kind(1), PacketKind::Stun);
  EXPECT_EQ(kind(22), PacketKind::Dtls);
  EXPECT_EQ(kind(64), PacketKind::TurnChannel);
  EXPECT_EQ(kind(0x80), PacketKind::Rtp);
  EXPECT_EQ(kind(0xbf), PacketKind::Rtp);
  EXPECT_EQ(kind(0xc0), PacketKind::Unknown);
  EXPECT_EQ(kind(10), PacketKind::Unknown);
  EXPECT_EQ(classify_packet({}), PacketKind::Unknown);
}

TEST(SocketAddress, ParseFormatAndUnmap) {
  auto a = SocketAddress::parse("10.1.2.3:7882");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "10.1.2.3:7882");
  auto b = SocketAddress::parse("[::1]:80");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->is_v4());
  EXPECT_EQ(b->to_string(), "[::1]:80");
  auto m = SocketAddress::parse("[::ffff:127.0.0.1]:5");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->unmapped().to_string(), "127.0.0.1:5");
  EXPECT_FALSE(SocketAddress::parse("1.2.3.4"));
  EXPECT_FALSE(SocketAddress::parse("1.2.3.4:99999"));
  EXPECT_FALSE(SocketAddress::parse("garbage:1"));
  EXPECT_FALSE(SocketAddress::parse(":1"));
  EXPECT_FALSE(SocketAddress::parse("::1"));
}
