// Two nodes' cascade sockets on loopback: media one way, feedback back, strangers ignored.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <vector>

#include "cascade/CascadePort.hpp"

namespace ct::cascade {
namespace {

using net::SocketAddress;
using srtp::SrtpProfile;

struct Collector : CascadePort::Listener {
  struct Got {
    uint32_t link_id;
    CascadeKind kind;
    std::vector<uint8_t> packet;
  };
  std::vector<Got> got;
  boost::asio::io_context* io = nullptr;
  size_t stop_after = 1;
  void on_cascade_packet(uint32_t link_id, CascadeKind kind, std::span<uint8_t> packet) override {
    got.push_back({link_id, kind, {packet.begin(), packet.end()}});
    if (got.size() >= stop_after) io->stop();
  }
};

std::vector<uint8_t> rtp_packet(uint16_t seq) {
  std::vector<uint8_t> p{0x80, 96, uint8_t(seq >> 8), uint8_t(seq), 0, 0, 0, 9, 0x12, 0x34, 0x56, 0x78};
  p.resize(1000, uint8_t(seq));
  return p;
}

class CascadePortTest : public ::testing::Test {
 protected:
  boost::asio::io_context io;
  SocketAddress loopback = *SocketAddress::parse("127.0.0.1:0");
  Collector at_a, at_b;
  CascadePort a{io, loopback, at_a};
  CascadePort b{io, loopback, at_b};
  uint32_t id_at_a = a.unused_link_id();
  uint32_t id_at_b = b.unused_link_id();

  void SetUp() override {
    at_a.io = at_b.io = &io;
    auto a_keys = CascadeKeys::generate(SrtpProfile::AeadAes128Gcm);
    auto b_keys = CascadeKeys::generate(SrtpProfile::AeadAes128Gcm);
    ASSERT_TRUE(a.add_link(id_at_a, id_at_b, b.local_address(), a_keys, b_keys));
    ASSERT_TRUE(b.add_link(id_at_b, id_at_a, a.local_address(), b_keys, a_keys));
  }
};

TEST_F(CascadePortTest, MediaGoesOutAndFeedbackComesBack) {
  at_b.stop_after = 10;
  for (uint16_t seq = 1; seq <= 10; ++seq) ASSERT_TRUE(a.send_rtp(id_at_a, rtp_packet(seq)));
  io.run_for(std::chrono::seconds(5));
  ASSERT_EQ(at_b.got.size(), 10u);
  EXPECT_EQ(at_b.got[4].link_id, id_at_b);
  EXPECT_EQ(at_b.got[4].kind, CascadeKind::rtp);
  EXPECT_EQ(at_b.got[4].packet, rtp_packet(5));

  const std::vector<uint8_t> pli{0x81, 206, 0, 2, 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78};
  ASSERT_TRUE(b.send_rtcp(id_at_b, pli));
  io.restart();
  io.run_for(std::chrono::seconds(5));
  ASSERT_EQ(at_a.got.size(), 1u);
  EXPECT_EQ(at_a.got[0].kind, CascadeKind::rtcp);
  EXPECT_EQ(at_a.got[0].packet, pli);
  EXPECT_EQ(a.link(id_at_a)->counters().rtp_sent, 10u);
  EXPECT_EQ(a.link(id_at_a)->counters().rtcp_received, 1u);
}

TEST_F(CascadePortTest, StrangersAndForgeriesGoNowhere) {
  net::UdpSocket stranger(io, loopback);
  stranger.start([](std::span<uint8_t>, const SocketAddress&) {});
  std::vector<uint8_t> forged{CascadeFrame::kMarker,  1,
                              uint8_t(id_at_b >> 24), uint8_t(id_at_b >> 16),
                              uint8_t(id_at_b >> 8),  uint8_t(id_at_b)};
  forged.resize(200, 0x80);
  stranger.send(forged, b.local_address());
  stranger.send(std::vector<uint8_t>(50, 0), b.local_address());
  // Then a real packet, so the test knows when the others were handled.
  ASSERT_TRUE(a.send_rtp(id_at_a, rtp_packet(1)));
  io.run_for(std::chrono::seconds(5));
  ASSERT_EQ(at_b.got.size(), 1u);
  EXPECT_EQ(at_b.got[0].packet, rtp_packet(1));
  EXPECT_EQ(b.endpoint().counters().not_cascade, 1u);
  EXPECT_EQ(b.link(id_at_b)->counters().rejected, 1u);
}

TEST_F(CascadePortTest, RefusesUnknownLinksAndOversizedPackets) {
  EXPECT_FALSE(a.send_rtp(id_at_a + 1, rtp_packet(1)));
  std::vector<uint8_t> huge = rtp_packet(1);
  huge.resize(net::UdpSocket::kMaxDatagram);
  EXPECT_FALSE(a.send_rtp(id_at_a, huge));
  EXPECT_FALSE(a.add_link(id_at_a, 1, b.local_address(), CascadeKeys::generate(SrtpProfile::AeadAes128Gcm),
                          CascadeKeys::generate(SrtpProfile::AeadAes128Gcm)));
  EXPECT_TRUE(a.remove_link(id_at_a));
  EXPECT_FALSE(a.send_rtp(id_at_a, rtp_packet(1)));
  EXPECT_FALSE(a.remove_link(id_at_a));
}

}  // namespace
}  // namespace ct::cascade
