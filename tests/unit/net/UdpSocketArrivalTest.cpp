// Arrival times on real loopback sockets: the kernel's receive stamp, placed
// on the steady clock, not the time the loop came round to read.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

#include "net/UdpSocket.hpp"

using namespace ct;
using namespace ct::net;

namespace {

struct Received {
  TimePoint arrival;
  TimePoint handled;
  uint8_t tag;
};

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

TEST(UdpSocketArrival, ADatagramArrivesWhenTheKernelReceivedItNotWhenItWasRead) {
  boost::asio::io_context io;
  auto loopback = *SocketAddress::parse("127.0.0.1:0");
  UdpSocket sender(io, loopback), receiver(io, loopback), plain(io, loopback);
  std::vector<Received> got;
  receiver.start([&](std::span<uint8_t> d, const SocketAddress&, TimePoint arrival) {
    got.push_back({arrival, Clock::now(), d[0]});
  });
  // A socket without arrival times on the same thread shares the receive
  // buffers: what the stamped socket asked of them must not reach it.
  int plain_received = 0;
  plain.start([&](std::span<uint8_t>, const SocketAddress&) { ++plain_received; });
  sender.start([](std::span<uint8_t>, const SocketAddress&) {});

  // The kernel turns receive stamping on for the whole system from a work
  // item after the first socket asks for it (net_enable_timestamp); until
  // then it stamps a datagram when it is read. On a busy machine that takes
  // a moment: wait until a datagram held 20 ms shows its wait.
  bool stamping = false;
  for (int attempt = 0; attempt < 100 && !stamping; ++attempt) {
    got.clear();
    sender.send(std::vector<uint8_t>(200, 255), receiver.local_address());
    sender.flush();
    std::this_thread::sleep_for(milliseconds(20));
    io.run_for(milliseconds(20));
    stamping = got.size() == 1 && ms(got[0].handled - got[0].arrival) >= 15.0;
  }
  ASSERT_TRUE(stamping) << "the kernel never stamped a datagram on arrival";
  got.clear();
  const uint64_t warm_up = receiver.stats().stamped_packets;

  const TimePoint before_send = Clock::now();
  for (uint8_t i = 0; i < 40; ++i) {
    sender.send(std::vector<uint8_t>(200, i), receiver.local_address());
    sender.send(std::vector<uint8_t>(200, i), plain.local_address());
  }
  sender.flush();
  const TimePoint sent = Clock::now();
  // The worker is busy elsewhere: the datagrams wait in the kernel.
  std::this_thread::sleep_for(milliseconds(60));
  io.run_for(milliseconds(200));

  ASSERT_EQ(got.size(), 40u);
  EXPECT_EQ(plain_received, 40);
  EXPECT_EQ(receiver.stats().stamped_packets - warm_up, 40u);
  EXPECT_EQ(plain.stats().stamped_packets, 0u);
  for (const auto& r : got) {
    // Mapped from the wall clock: within a millisecond of the send, and the
    // wait shows as the difference to when it was handled.
    EXPECT_GE(r.arrival, before_send - milliseconds(1)) << int(r.tag);
    EXPECT_LE(r.arrival, sent + milliseconds(1)) << int(r.tag);
    EXPECT_GE(ms(r.handled - r.arrival), 55.0) << int(r.tag);
  }
  EXPECT_EQ(got[39].tag, 39);
}

TEST(UdpSocketArrival, AStampTooOldToBelieveFallsBackToTheReadTime) {
  boost::asio::io_context io;
  auto loopback = *SocketAddress::parse("127.0.0.1:0");
  UdpSocket sender(io, loopback), receiver(io, loopback);
  std::vector<Received> got;
  receiver.start([&](std::span<uint8_t> d, const SocketAddress&, TimePoint arrival) {
    got.push_back({arrival, Clock::now(), d[0]});
  });
  sender.send(std::vector<uint8_t>(100, 7), receiver.local_address());
  sender.flush();
  // Longer than any datagram is believed to wait (ReceiveClock::kMaxAge).
  std::this_thread::sleep_for(milliseconds(1200));
  const TimePoint before_read = Clock::now();
  io.run_for(milliseconds(200));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GE(got[0].arrival, before_read);
  EXPECT_LE(got[0].arrival, got[0].handled);
}
