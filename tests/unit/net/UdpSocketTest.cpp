#include "net/UdpSocket.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <thread>
#include <vector>

#include "../../support/SendmmsgFaults.hpp"
#include "net/BoundUdpSocket.hpp"
#include "net/PacketKind.hpp"

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
class UdpSocketSendBacklog : public ::testing::Test {
 protected:
  void SetUp() override {
    receiver.start_polled([this](std::span<uint8_t> d, const SocketAddress&) { got.push_back(d[0] << 8 | d[1]); });
  }
  boost::asio::io_context io;
  UdpSocket sender{io, *SocketAddress::parse("127.0.0.1:0")};
  UdpSocket receiver{io, *SocketAddress::parse("127.0.0.1:0")};
  std::vector<uint32_t> got;
};

TEST_F(UdpSocketSendBacklog, FullSendBufferDelaysDatagramsInsteadOfDroppingThem) {
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

TEST_F(UdpSocketSendBacklog, IsBoundedAndCountsWhatItRefuses) {
  sender.start([](std::span<uint8_t>, const SocketAddress&) {});
  ct::test::g_sendmmsg.full = true;
  constexpr uint32_t kCount = UdpSocket::kMaxBacklog + 40;
  for (uint32_t n = 0; n < kCount; ++n) sender.send(numbered(n), receiver.local_address());
  sender.flush();
  EXPECT_EQ(sender.stats().backlog_drops, 40u);
  ct::test::g_sendmmsg.full = false;  // room again: the writable socket sends what was accepted
  io.run_for(std::chrono::milliseconds(200));
  receive_numbered(receiver, got, UdpSocket::kMaxBacklog);
  ASSERT_EQ(got.size(), UdpSocket::kMaxBacklog);
  for (uint32_t n = 0; n < UdpSocket::kMaxBacklog; ++n) EXPECT_EQ(got[n], n);  // the oldest kept, in order
  EXPECT_EQ(sender.stats().sent_packets, UdpSocket::kMaxBacklog);
  // Sending works normally again afterwards.
  sender.send(numbered(9999), receiver.local_address());
  sender.flush();
  receive_numbered(receiver, got, UdpSocket::kMaxBacklog + 1);
  EXPECT_EQ(got.size(), UdpSocket::kMaxBacklog + 1);
}

TEST_F(UdpSocketSendBacklog, PolledSocketRetriesWhenPolled) {
  sender.start_polled([](std::span<uint8_t>, const SocketAddress&) {});
  ct::test::g_sendmmsg.eagain = 1;
  for (uint32_t n = 0; n < 5; ++n) sender.send(numbered(n), receiver.local_address());
  sender.flush();
  EXPECT_EQ(sender.stats().blocked_sends, 1u);
  sender.poll();
  receive_numbered(receiver, got, 5);
  EXPECT_EQ(got, (std::vector<uint32_t>{0, 1, 2, 3, 4}));
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
