// The client transport against the real server-side PeerTransport on a real
// MediaPort, over loopback UDP sockets: ICE checks, the DTLS handshake and
// SRTP in both directions, as a load client or a browser would run them.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <vector>

#include "dtls/DtlsCertificate.hpp"
#include "net/UdpSocket.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunMessageBuilder.hpp"
#include "webrtc/ClientPeerTransport.hpp"
#include "webrtc/DatagramSender.hpp"
#include "webrtc/MediaPort.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::webrtc {
namespace {

const net::SocketAddress kLoopbackAnyPort = *net::SocketAddress::parse("127.0.0.1:0");

struct SocketSender final : DatagramSender {
  explicit SocketSender(net::UdpSocket& s) : socket(s) {}
  void send_datagram(std::span<const uint8_t> d, const net::SocketAddress& to) override { socket.send(d, to); }
  net::UdpSocket& socket;
};

struct ServerRecorder final : PeerTransport::Listener {
  void on_transport_connected(PeerTransport&) override { ++connected; }
  void on_rtp(PeerTransport&, std::span<uint8_t> p, size_t, TimePoint) override {
    rtp.emplace_back(p.begin(), p.end());
  }
  void on_rtcp(PeerTransport&, std::span<uint8_t> c, size_t) override { rtcp.emplace_back(c.begin(), c.end()); }
  void on_transport_closed(PeerTransport&, std::string_view reason) override { closed = std::string(reason); }
  int connected = 0;
  std::vector<std::vector<uint8_t>> rtp, rtcp;
  std::string closed;
};

struct ClientRecorder final : ClientPeerTransport::Listener {
  void on_client_connected(ClientPeerTransport&) override { ++connected; }
  void on_client_rtp(ClientPeerTransport&, std::span<uint8_t> p) override { rtp.emplace_back(p.begin(), p.end()); }
  void on_client_rtcp(ClientPeerTransport&, std::span<uint8_t> c) override { rtcp.emplace_back(c.begin(), c.end()); }
  void on_client_closed(ClientPeerTransport&, std::string_view reason) override { closed = std::string(reason); }
  int connected = 0;
  std::vector<std::vector<uint8_t>> rtp, rtcp;
  std::string closed;
};

std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ssrc, size_t payload_size = 1000) {
  std::vector<uint8_t> payload(payload_size, uint8_t(seq));
  std::vector<uint8_t> out(1500);
  size_t n = rtp::RtpPacketBuilder().payload_type(96).sequence_number(seq).timestamp(3000u * seq).ssrc(ssrc)
                 .payload(payload).build(out);
  out.resize(n);
  return out;
}

class ClientPeerTransportTest : public ::testing::Test {
 protected:
  void make_client(ClientPeerTransport::Options options = {}) {
    client = std::make_unique<ClientPeerTransport>(client_listener, client_sender, client_certificate, options,
                                                   Clock::now());
    client_socket.start([this](std::span<uint8_t> d, const net::SocketAddress& from) {
      client->receive_datagram(d, net::UdpSocket::kMaxDatagram, from, Clock::now());
    });
  }
  void make_server(PeerTransport::Options options = {}) {
    server = std::make_unique<PeerTransport>(server_listener, port, server_certificate, options, Clock::now());
    port.add(*server);
    port.start();
  }
  // Exchanges what the two SDPs would carry.
  void exchange_parameters(std::string server_pwd = {}) {
    server->set_remote_parameters(client->local_ufrag(), client->local_pwd(), "sha-256",
                                  client->local_fingerprint());
    ASSERT_TRUE(client->set_remote_parameters(server->local_ufrag(),
                                              server_pwd.empty() ? server->local_pwd() : server_pwd, "sha-256",
                                              server->local_fingerprint(), port.candidate_address()));
  }
  // Runs the event loop and both transports' timers until `done` or the deadline.
  bool run_until(const std::function<bool()>& done, Duration limit = seconds(5)) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (io.stopped()) io.restart();
      io.run_for(std::chrono::milliseconds(5));
      auto now = Clock::now();
      if (client) client->on_tick(now);
      if (server) server->on_tick(now);
      if (done()) return true;
    }
    return done();
  }
  bool connect() {
    exchange_parameters();
    client->start(Clock::now());
    return run_until([&] {
      return client->state() == ClientPeerTransport::State::Connected &&
             server->state() == PeerTransport::State::Connected;
    });
  }

  boost::asio::io_context io;
  dtls::DtlsCertificate server_certificate, client_certificate;
  MediaPort port{io, kLoopbackAnyPort, ""};
  net::UdpSocket client_socket{io, kLoopbackAnyPort};
  SocketSender client_sender{client_socket};
  ServerRecorder server_listener;
  ClientRecorder client_listener;
  std::unique_ptr<PeerTransport> server;
  std::unique_ptr<ClientPeerTransport> client;
};

TEST_F(ClientPeerTransportTest, ConnectsAndMediaFlowsBothWays) {
  make_server();
  make_client();
  EXPECT_EQ(client->state(), ClientPeerTransport::State::New);
  ASSERT_TRUE(connect());
  EXPECT_EQ(client_listener.connected, 1);
  EXPECT_EQ(server_listener.connected, 1);
  EXPECT_EQ(server->remote_address(), client_socket.local_address());
  EXPECT_EQ(client->srtp_profile_name(), server->srtp_profile_name());
  EXPECT_FALSE(client->srtp_profile_name().empty());
  EXPECT_GE(client->stats().check_responses, 1u);
  EXPECT_GE(client->connected_at().time_since_epoch().count(), 1);

  // Up: client -> server.
  std::vector<std::vector<uint8_t>> sent;
  for (uint16_t seq = 100; seq < 110; ++seq) {
    auto packet = rtp_packet(seq, 0x1111);
    std::vector<uint8_t> buffer(1500);
    std::copy(packet.begin(), packet.end(), buffer.begin());
    ASSERT_TRUE(client->send_rtp(buffer, packet.size()));
    sent.push_back(std::move(packet));
  }
  ASSERT_TRUE(run_until([&] { return server_listener.rtp.size() == sent.size(); }));
  EXPECT_EQ(server_listener.rtp, sent);

  // Down: server -> client.
  auto down = rtp_packet(7, 0x2222, 1100);
  std::vector<uint8_t> buffer(1500);
  std::copy(down.begin(), down.end(), buffer.begin());
  ASSERT_TRUE(server->send_rtp(buffer, down.size()));
  ASSERT_TRUE(run_until([&] { return client_listener.rtp.size() == 1; }));
  EXPECT_EQ(client_listener.rtp[0], down);

  // RTCP both ways: a PLI up, the same down.
  std::array<uint8_t, 64> pli{};
  size_t n = rtp::RtcpPli::build(pli, 1, 0x1111);
  std::array<uint8_t, 64> copy = pli;
  ASSERT_TRUE(client->send_rtcp(copy, n));
  ASSERT_TRUE(run_until([&] { return server_listener.rtcp.size() == 1; }));
  EXPECT_EQ(server_listener.rtcp[0], std::vector<uint8_t>(pli.begin(), pli.begin() + n));
  copy = pli;
  ASSERT_TRUE(server->send_rtcp(copy, n));
  ASSERT_TRUE(run_until([&] { return client_listener.rtcp.size() == 1; }));
  EXPECT_EQ(client_listener.rtcp[0], std::vector<uint8_t>(pli.begin(), pli.begin() + n));

  EXPECT_EQ(client->stats().rtp_packets_out, 10u);
  EXPECT_EQ(client->stats().rtp_packets_in, 1u);
  EXPECT_EQ(client->stats().srtp_errors, 0u);
  EXPECT_EQ(server->stats().srtp_errors, 0u);
}

TEST_F(ClientPeerTransportTest, UnprotectsOnlyEveryNthRtpPacketWhenSampling) {
  make_server();
  ClientPeerTransport::Options options;
  options.rtp_unprotect_interval = 4;
  make_client(options);
  ASSERT_TRUE(connect());
  for (uint16_t seq = 1; seq <= 12; ++seq) {
    auto packet = rtp_packet(seq, 0x3333, 500);
    std::vector<uint8_t> buffer(1500);
    std::copy(packet.begin(), packet.end(), buffer.begin());
    ASSERT_TRUE(server->send_rtp(buffer, packet.size()));
  }
  ASSERT_TRUE(run_until([&] { return client->stats().rtp_packets_in == 12; }));
  EXPECT_EQ(client->stats().rtp_packets_unprotected, 3u);
  ASSERT_EQ(client_listener.rtp.size(), 3u);
  EXPECT_EQ(client_listener.rtp[0], rtp_packet(4, 0x3333, 500));
  EXPECT_EQ(client->stats().srtp_errors, 0u);
}

TEST_F(ClientPeerTransportTest, ConsentChecksKeepBeingAnswered) {
  make_server();
  ClientPeerTransport::Options options;
  options.consent_interval = milliseconds(50);
  make_client(options);
  ASSERT_TRUE(connect());
  auto before = client->stats().check_responses;
  ASSERT_TRUE(run_until([&] { return client->stats().check_responses >= before + 3; }, seconds(3)));
  EXPECT_EQ(client->state(), ClientPeerTransport::State::Connected);
}

TEST_F(ClientPeerTransportTest, WrongServerFingerprintFailsTheHandshake) {
  make_server();
  make_client();
  server->set_remote_parameters(client->local_ufrag(), client->local_pwd(), "sha-256", client->local_fingerprint());
  dtls::DtlsCertificate other;
  ASSERT_TRUE(client->set_remote_parameters(server->local_ufrag(), server->local_pwd(), "sha-256",
                                            other.fingerprint_sha256(), port.candidate_address()));
  client->start(Clock::now());
  ASSERT_TRUE(run_until([&] { return client->state() == ClientPeerTransport::State::Closed; }));
  EXPECT_EQ(client_listener.connected, 0);
  EXPECT_FALSE(client_listener.closed.empty());
  std::vector<uint8_t> buffer(300);
  EXPECT_FALSE(client->send_rtp(buffer, 100));
}

TEST_F(ClientPeerTransportTest, WrongIcePasswordIsRefused) {
  make_server();
  make_client();
  exchange_parameters("wrongwrongwrongwrongwrong");
  client->start(Clock::now());
  ASSERT_TRUE(run_until([&] { return client->state() == ClientPeerTransport::State::Closed; }));
  EXPECT_NE(client_listener.closed.find("401"), std::string::npos) << client_listener.closed;
  EXPECT_EQ(server->state(), PeerTransport::State::New);
}

TEST_F(ClientPeerTransportTest, RetransmitsUnansweredChecksUntilTheConnectTimeout) {
  // A socket nobody reads: the checks go unanswered.
  net::UdpSocket silent(io, kLoopbackAnyPort);
  ClientPeerTransport::Options options;
  options.check_retransmit = milliseconds(20);
  options.connect_timeout = milliseconds(400);
  make_client(options);
  ASSERT_TRUE(client->set_remote_parameters("abcd", "0123456789012345678901", "sha-256",
                                            server_certificate.fingerprint_sha256(), silent.local_address()));
  client->start(Clock::now());
  ASSERT_TRUE(run_until([&] { return client->state() == ClientPeerTransport::State::Closed; }, seconds(2)));
  EXPECT_GE(client->stats().checks_sent, 4u);
  EXPECT_NE(client_listener.closed.find("ICE"), std::string::npos) << client_listener.closed;
}

TEST_F(ClientPeerTransportTest, DatagramsFromElsewhereAreDropped) {
  make_server();
  make_client();
  ASSERT_TRUE(connect());
  auto stranger = *net::SocketAddress::parse("127.0.0.1:9");
  auto packet = rtp_packet(1, 0x4444);
  client->receive_datagram(packet, packet.size(), stranger, Clock::now());
  std::vector<uint8_t> garbage = {0x80, 0x01};
  client->receive_datagram(garbage, garbage.size(), port.candidate_address(), Clock::now());
  std::vector<uint8_t> unknown = {0xff, 0x00, 0x00};
  client->receive_datagram(unknown, unknown.size(), port.candidate_address(), Clock::now());
  std::vector<uint8_t> short_stun = {0x01, 0x01, 0x00};
  client->receive_datagram(short_stun, short_stun.size(), port.candidate_address(), Clock::now());
  EXPECT_GE(client->stats().dropped, 2u);
  EXPECT_GE(client->stats().srtp_errors, 1u);
  EXPECT_TRUE(client_listener.rtp.empty());
  EXPECT_EQ(client->state(), ClientPeerTransport::State::Connected);
}

}  // namespace
}  // namespace ct::webrtc

namespace ct::webrtc {
namespace {
TEST_F(ClientPeerTransportTest, SequenceNumbersWrapAroundBothWays) {
  make_server();
  make_client();
  ASSERT_TRUE(connect());
  for (uint32_t i = 0; i < 20; ++i) {
    uint16_t seq = uint16_t(65530 + i);
    auto packet = rtp_packet(seq, 0x5555, 200);
    std::vector<uint8_t> buffer(1500);
    std::copy(packet.begin(), packet.end(), buffer.begin());
    ASSERT_TRUE(client->send_rtp(buffer, packet.size()));
    auto down = rtp_packet(seq, 0x6666, 200);
    std::copy(down.begin(), down.end(), buffer.begin());
    ASSERT_TRUE(server->send_rtp(buffer, down.size()));
    run_until([&] { return server_listener.rtp.size() == i + 1 && client_listener.rtp.size() == i + 1; }, seconds(1));
  }
  EXPECT_EQ(server_listener.rtp.size(), 20u);
  EXPECT_EQ(client_listener.rtp.size(), 20u);
  EXPECT_EQ(server->stats().srtp_errors, 0u);
  EXPECT_EQ(client->stats().srtp_errors, 0u);
}

// Two full ICE agents, as the load client against Janus: each checks the
// other and answers the other's checks, both start controlling and settle
// the conflict by tie-breaker (RFC 8445 §7.3.1.1), and the side whose peer
// said a=setup:active is the DTLS server.
TEST(ClientPeerTransportFullIce, TwoFullAgentsSettleTheirRolesAndConnect) {
  boost::asio::io_context io;
  dtls::DtlsCertificate cert_a, cert_b;
  net::UdpSocket socket_a{io, kLoopbackAnyPort}, socket_b{io, kLoopbackAnyPort};
  SocketSender sender_a{socket_a}, sender_b{socket_b};
  ClientRecorder listener_a, listener_b;
  ClientPeerTransport a(listener_a, sender_a, cert_a, {}, Clock::now());
  ClientPeerTransport b(listener_b, sender_b, cert_b, {}, Clock::now());
  socket_a.start([&](std::span<uint8_t> d, const net::SocketAddress& from) {
    a.receive_datagram(d, net::UdpSocket::kMaxDatagram, from, Clock::now());
  });
  socket_b.start([&](std::span<uint8_t> d, const net::SocketAddress& from) {
    b.receive_datagram(d, net::UdpSocket::kMaxDatagram, from, Clock::now());
  });
  ASSERT_TRUE(a.set_remote_parameters(b.local_ufrag(), b.local_pwd(), "sha-256", b.local_fingerprint(),
                                      socket_b.local_address(), dtls::Role::Client));
  ASSERT_TRUE(b.set_remote_parameters(a.local_ufrag(), a.local_pwd(), "sha-256", a.local_fingerprint(),
                                      socket_a.local_address(), dtls::Role::Server));
  a.start(Clock::now());
  b.start(Clock::now());
  auto deadline = Clock::now() + seconds(5);
  auto up = [&] {
    return a.state() == ClientPeerTransport::State::Connected &&
           b.state() == ClientPeerTransport::State::Connected;
  };
  while (!up() && Clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(5));
    a.on_tick(Clock::now());
    b.on_tick(Clock::now());
  }
  ASSERT_TRUE(up()) << int(a.state()) << " " << a.stats().checks_sent << " " << a.stats().check_responses << " "
                    << a.stats().checks_answered << " / " << int(b.state()) << " " << b.stats().checks_sent << " "
                    << b.stats().check_responses << " " << b.stats().checks_answered << " " << listener_a.closed
                    << " / " << listener_b.closed;
  EXPECT_GE(a.stats().checks_answered, 1u);
  EXPECT_GE(b.stats().checks_answered, 1u);
  EXPECT_EQ(a.srtp_profile_name(), b.srtp_profile_name());

  auto packet = rtp_packet(42, 0x3333, 800);
  std::vector<uint8_t> buffer(1500);
  std::copy(packet.begin(), packet.end(), buffer.begin());
  ASSERT_TRUE(b.send_rtp(buffer, packet.size()));
  deadline = Clock::now() + seconds(2);
  while (listener_a.rtp.empty() && Clock::now() < deadline) io.run_for(std::chrono::milliseconds(5));
  ASSERT_EQ(listener_a.rtp.size(), 1u);
  EXPECT_EQ(listener_a.rtp[0], packet);
}

// A check keyed with another password gets no answer; one keyed with ours does.
TEST_F(ClientPeerTransportTest, IgnoresChecksNotKeyedWithItsPassword) {
  make_server();
  make_client();
  ASSERT_TRUE(connect());
  net::UdpSocket stranger{io, kLoopbackAnyPort};
  std::vector<uint8_t> check;
  stun::TransactionId id{};
  id[0] = 1;
  stun::StunMessageBuilder builder(check, stun::Method::Binding, stun::MessageClass::Request, id);
  builder.add_username(client->local_ufrag() + ":peer");
  builder.add_ice_controlling(1);
  builder.add_message_integrity(stun::short_term_key("not-the-client-password-at-all"));
  builder.add_fingerprint();
  const auto answered = client->stats().checks_answered;
  client->receive_datagram(std::span(check), check.size(), port.candidate_address(), Clock::now());
  EXPECT_EQ(client->stats().checks_answered, answered);

  // The same check keyed with the client's password is answered.
  stun::StunMessageBuilder keyed(check, stun::Method::Binding, stun::MessageClass::Request, id);
  keyed.add_username(client->local_ufrag() + ":peer");
  keyed.add_ice_controlled(1);
  keyed.add_message_integrity(stun::short_term_key(client->local_pwd()));
  keyed.add_fingerprint();
  client->receive_datagram(std::span(check), check.size(), port.candidate_address(), Clock::now());
  EXPECT_EQ(client->stats().checks_answered, answered + 1);
}

}  // namespace
}  // namespace ct::webrtc
