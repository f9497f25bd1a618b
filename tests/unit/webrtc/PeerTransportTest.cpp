#include <gtest/gtest.h>

#include <deque>

#include "../../support/TestPeer.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "sdp/Candidate.hpp"
#include "stun/StunMessage.hpp"
#include "webrtc/DatagramSender.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::webrtc {
namespace {

struct Recorder final : PeerTransport::Listener {
  void on_transport_connected(PeerTransport&) override { ++connected; }
  void on_rtp(PeerTransport&, std::span<uint8_t> packet, size_t capacity, TimePoint arrival) override {
    EXPECT_GE(capacity, packet.size());
    rtp.emplace_back(packet.begin(), packet.end());
    arrivals.push_back(arrival);
  }
  void on_rtcp(PeerTransport&, std::span<uint8_t> compound, size_t) override {
    rtcp.emplace_back(compound.begin(), compound.end());
  }
  void on_transport_closed(PeerTransport&, std::string_view reason) override { closed = std::string(reason); }
  int connected = 0;
  std::vector<std::vector<uint8_t>> rtp, rtcp;
  std::vector<TimePoint> arrivals;
  std::string closed;
};

struct ToClient final : DatagramSender {
  void send_datagram(std::span<const uint8_t> d, const net::SocketAddress& to) override {
    queue.emplace_back(d.begin(), d.end());
    last_to = to;
  }
  std::deque<std::vector<uint8_t>> queue;
  net::SocketAddress last_to;
};

std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ssrc = 0x11223344) {
  std::vector<uint8_t> payload(200, 0xab);
  std::vector<uint8_t> out(1500);
  size_t n = rtp::RtpPacketBuilder().payload_type(96).sequence_number(seq).timestamp(9000u * seq).ssrc(ssrc)
                 .payload(payload).build(out);
  out.resize(n);
  return out;
}

class PeerTransportTest : public ::testing::Test {
 protected:
  PeerTransportTest() { options.consent_timeout = seconds(30); }

  void SetUp() override {
    transport = std::make_unique<PeerTransport>(listener, network, certificate, options, now);
    client.set_remote(transport->local_ufrag(), transport->local_pwd(), transport->local_fingerprint());
  }

  void pump() {
    for (int round = 0; round < 50 && (!network.queue.empty() || !to_server.empty()); ++round) {
      while (!to_server.empty()) {
        auto d = std::move(to_server.front());
        to_server.pop_front();
        deliver_to_server(d);
      }
      while (!network.queue.empty()) {
        auto d = std::move(network.queue.front());
        network.queue.pop_front();
        client.receive(d, now);
      }
    }
  }
  void deliver_to_server(std::vector<uint8_t> d) {
    if (!d.empty() && d[0] < 4) {
      if (auto m = stun::StunMessage::parse(d)) transport->receive_stun(*m, client_address, now);
      return;
    }
    size_t size = d.size();
    d.resize(size + 64);
    transport->receive_datagram(std::span(d.data(), size), d.size(), client_address, now);
  }
  void connect(std::string fingerprint = {}) {
    transport->set_remote_parameters(client.ufrag(), client.pwd(), "sha-256",
                                     fingerprint.empty() ? client.fingerprint() : fingerprint);
    client.send_check();
    pump();
  }

  dtls::DtlsCertificate certificate;
  ToClient network;
  Recorder listener;
  PeerTransport::Options options;
  TimePoint now = TimePoint{} + seconds(1000);
  std::unique_ptr<PeerTransport> transport;
  std::deque<std::vector<uint8_t>> to_server;
  test::TestPeer client{[this](std::span<const uint8_t> d) { to_server.emplace_back(d.begin(), d.end()); }};
  net::SocketAddress client_address = *net::SocketAddress::parse("127.0.0.1:40000");
};

TEST_F(PeerTransportTest, IceDtlsSrtpHandshake) {
  EXPECT_EQ(transport->state(), PeerTransport::State::New);
  connect();
  EXPECT_EQ(client.check_responses, 1u);
  EXPECT_TRUE(client.connected());
  EXPECT_EQ(transport->state(), PeerTransport::State::Connected);
  EXPECT_EQ(listener.connected, 1);
  EXPECT_EQ(transport->remote_address(), client_address);
  EXPECT_EQ(network.last_to, client_address);
  EXPECT_FALSE(transport->srtp_profile_name().empty());
}

// The selected path is named by the candidate the peer signaled at its
// address; an address it signaled nothing for is peer-reflexive.
TEST_F(PeerTransportTest, SelectedPathTakesTheSignaledCandidatesType) {
  auto candidate = [](const char* text) { return *sdp::Candidate::parse(text); };
  EXPECT_FALSE(transport->remote_candidate_type());  // no path yet
  EXPECT_TRUE(
      transport->add_remote_candidate(candidate("candidate:1 1 udp 2122260223 127.0.0.1 40001 typ host")));
  connect();
  EXPECT_EQ(transport->remote_candidate_type(), "prflx");  // checks come from :40000
  EXPECT_TRUE(
      transport->add_remote_candidate(candidate("candidate:2 1 UDP 1686052607 127.0.0.1 40000 typ srflx "
                                                "raddr 10.0.0.2 rport 40000")));
  EXPECT_EQ(transport->remote_candidate_type(), "srflx");
}

TEST_F(PeerTransportTest, CandidatesThatCannotNameAPathAreNotKept) {
  auto candidate = [](const char* text) { return *sdp::Candidate::parse(text); };
  // An mDNS name (not resolved), TCP, RTCP's component, an unknown type.
  for (const char* text : {"candidate:1 1 udp 2122260223 0b4c2f9e-6a4c-4e2b-a1b0-3e1f.local 40000 typ host",
                           "candidate:1 1 tcp 1518280447 127.0.0.1 40000 typ host tcptype passive",
                           "candidate:1 2 udp 2122260222 127.0.0.1 40000 typ host",
                           "candidate:1 1 udp 2122260223 127.0.0.1 40000 typ bogus"})
    EXPECT_FALSE(transport->add_remote_candidate(candidate(text))) << text;
  connect();
  EXPECT_EQ(transport->remote_candidate_type(), "prflx");
}

TEST_F(PeerTransportTest, MediaBothWays) {
  connect();
  auto up = rtp_packet(7);
  ASSERT_TRUE(client.send_rtp(up));
  pump();
  ASSERT_EQ(listener.rtp.size(), 1u);
  EXPECT_EQ(listener.rtp[0], up);

  auto down = rtp_packet(8, 0x55667788);
  std::vector<uint8_t> buffer(down.size() + 64);
  std::copy(down.begin(), down.end(), buffer.begin());
  ASSERT_TRUE(transport->send_rtp(buffer, down.size()));
  pump();
  ASSERT_EQ(client.rtp_received.size(), 1u);
  EXPECT_EQ(client.rtp_received[0], down);

  std::array<uint8_t, 64> pli{};
  size_t n = rtp::RtcpPli::build(pli, 1, 2);
  ASSERT_TRUE(client.send_rtcp(std::span(pli.data(), n)));
  pump();
  ASSERT_EQ(listener.rtcp.size(), 1u);
  EXPECT_EQ(listener.rtcp[0], std::vector<uint8_t>(pli.begin(), pli.begin() + n));
  ASSERT_TRUE(transport->send_rtcp(pli, n));
  pump();
  ASSERT_EQ(client.rtcp_received.size(), 1u);
  EXPECT_EQ(transport->stats().rtp_packets_in, 1u);
  EXPECT_EQ(transport->stats().rtp_packets_out, 1u);
}

TEST_F(PeerTransportTest, MediaGoesUpWithTheTimeItArrived) {
  connect();
  auto up = rtp_packet(9);
  ASSERT_TRUE(client.send_rtp(up));
  ASSERT_EQ(to_server.size(), 1u);
  auto d = std::move(to_server.front());
  to_server.pop_front();
  const size_t size = d.size();
  d.resize(size + 64);
  // Read 40 ms after the host received it: the listener measures from then.
  transport->receive_datagram(std::span(d.data(), size), d.size(), client_address, now,
                              now - milliseconds(40));
  ASSERT_EQ(listener.arrivals.size(), 1u);
  EXPECT_EQ(listener.arrivals[0], now - milliseconds(40));
  // Without a separate arrival, the packet arrived when it is handled.
  ASSERT_TRUE(client.send_rtp(rtp_packet(10)));
  pump();
  ASSERT_EQ(listener.arrivals.size(), 2u);
  EXPECT_EQ(listener.arrivals[1], now);
}

TEST_F(PeerTransportTest, ConsentExpiresWithoutChecks) {
  connect();
  now += seconds(20);
  client.send_check(false);  // consent refresh (RFC 7675 §5.1)
  pump();
  now += seconds(20);
  transport->on_tick(now);
  EXPECT_EQ(transport->state(), PeerTransport::State::Connected);
  now += seconds(11);
  transport->on_tick(now);
  EXPECT_EQ(transport->state(), PeerTransport::State::Closed);
  EXPECT_NE(listener.closed.find("consent"), std::string::npos);
  std::vector<uint8_t> buffer(300);
  EXPECT_FALSE(transport->send_rtp(buffer, 100));
}

TEST_F(PeerTransportTest, WrongFingerprintFailsTheHandshake) {
  connect("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  EXPECT_NE(transport->state(), PeerTransport::State::Connected);
  EXPECT_EQ(listener.connected, 0);
  EXPECT_FALSE(listener.closed.empty());
  EXPECT_EQ(transport->state(), PeerTransport::State::Closed);
}

TEST_F(PeerTransportTest, ConnectTimeout) {
  transport->on_tick(now + options.connect_timeout + seconds(1));
  EXPECT_EQ(transport->state(), PeerTransport::State::Closed);
}

TEST_F(PeerTransportTest, GarbageIsDropped) {
  // Before the handshake: media is dropped and counted.
  deliver_to_server(rtp_packet(1));
  EXPECT_EQ(transport->stats().dropped_before_connect, 1u);
  connect();
  // Unauthenticated SRTP, truncated packets, DTLS-range junk: none reaches the listener.
  deliver_to_server(rtp_packet(2));
  deliver_to_server({0x80});
  deliver_to_server({0x80, 0xc8, 0x00});
  deliver_to_server({23, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5, 1, 2});
  std::vector<uint8_t> junk(700);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = uint8_t(i * 37 + 11);
  junk[0] = 0x90;
  deliver_to_server(junk);
  EXPECT_TRUE(listener.rtp.empty());
  EXPECT_TRUE(listener.rtcp.empty());
  EXPECT_GE(transport->stats().srtp_errors, 3u);
  EXPECT_EQ(transport->state(), PeerTransport::State::Connected);
  // A real packet still gets through afterwards.
  ASSERT_TRUE(client.send_rtp(rtp_packet(3)));
  pump();
  EXPECT_EQ(listener.rtp.size(), 1u);
}

}  // namespace
}  // namespace ct::webrtc
