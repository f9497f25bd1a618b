// The whole server on loopback sockets: UDP and TCP listeners, a real relay
// socket and a real peer.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "TurnTestSupport.hpp"
#include <thread>

#include "turn/TurnServer.hpp"

namespace ct::turn {
namespace {

using namespace std::chrono_literals;
using stun::MessageClass;
using stun::Method;
using stun::StunMessage;
using stun::StunMessageBuilder;

class Socket {
 public:
  explicit Socket(int type) : fd_(::socket(AF_INET, type, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    timeval tv{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Socket() { ::close(fd_); }
  int fd() const { return fd_; }
  net::SocketAddress local() const {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    return *net::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
  }
  void send_to(std::span<const uint8_t> d, const net::SocketAddress& to) {
    sockaddr_storage ss;
    auto len = to.to_sockaddr(ss);
    ::sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&ss), len);
  }
  std::vector<uint8_t> receive(net::SocketAddress* from = nullptr) {
    std::vector<uint8_t> buf(2048);
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    auto n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
    buf.resize(n > 0 ? size_t(n) : 0);
    if (from && n > 0) *from = *net::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    return buf;
  }

 private:
  int fd_;
};

TurnServerConfig loopback_config() {
  TurnServerConfig c;
  c.listen_address = "127.0.0.1";
  c.port = 0;
  c.tls_port = 0;
  c.realm = "test";
  c.secrets = {"secret"};
  c.relay_port_min = 52000;
  c.relay_port_max = 52999;
  return c;
}

TEST(TurnServer, RejectsUnusableConfigs) {
  auto c = loopback_config();
  c.secrets.clear();
  EXPECT_THROW(TurnServer{c}, std::invalid_argument);
  c = loopback_config();
  c.listen_address = "0.0.0.0";
  EXPECT_THROW(TurnServer{c}, std::invalid_argument);  // wildcard relay address and no external address
  c.external_address = "198.51.100.1";
  EXPECT_NO_THROW(TurnServer{c});
  c = loopback_config();
  c.tls_port = 15349;  // TLS without a certificate and not dev
  TurnServer s(c);
  EXPECT_THROW(s.start(), std::invalid_argument);
}

TEST(TurnServer, RelaysOverUdpBetweenClientAndPeer) {
  TurnServer server(loopback_config());
  server.start();
  net::SocketAddress turn = *net::SocketAddress::parse_ip("127.0.0.1", server.udp_port());
  Socket client(SOCK_DGRAM), peer(SOCK_DGRAM);
  server.allow_peer(peer.local());

  test::TurnTestClient tc;
  auto creds = make_rest_credentials("secret", "alice", 600s, std::chrono::system_clock::now());
  tc.username = creds.username;
  tc.password = creds.password;
  auto exchange = [&](const std::vector<uint8_t>& request) {
    client.send_to(request, turn);
    return client.receive();
  };

  auto binding = exchange(tc.request(Method::Binding, [](StunMessageBuilder&) {}, false));
  auto bm = StunMessage::parse(binding);
  ASSERT_TRUE(bm);
  EXPECT_EQ(*bm->xor_mapped_address(), client.local());

  auto challenge = exchange(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); }, false));
  auto cm = StunMessage::parse(challenge);
  ASSERT_TRUE(cm && cm->nonce());
  tc.nonce = std::string(*cm->nonce());
  auto allocated = exchange(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); }));
  auto am = StunMessage::parse(allocated);
  ASSERT_TRUE(am && am->message_class() == MessageClass::SuccessResponse);
  auto relayed = *am->xor_relayed_address();
  EXPECT_EQ(relayed.ip_string(), "127.0.0.1");
  // The relay socket is known as ours: a peer seeing it as the source is a relayed client.
  EXPECT_TRUE(server.is_relay_address(relayed));
  EXPECT_FALSE(server.is_relay_address(client.local()));

  auto perm = exchange(tc.request(Method::CreatePermission, [&](StunMessageBuilder& b) { b.add_xor_peer_address(peer.local()); }));
  ASSERT_EQ(StunMessage::parse(perm)->message_class(), MessageClass::SuccessResponse);

  std::vector<uint8_t> send;
  StunMessageBuilder(send, Method::Send, MessageClass::Indication, test::new_id())
      .add_xor_peer_address(peer.local())
      .add_data(std::vector<uint8_t>{'h', 'i'});
  client.send_to(send, turn);
  net::SocketAddress from;
  EXPECT_EQ(peer.receive(&from), (std::vector<uint8_t>{'h', 'i'}));
  EXPECT_EQ(from, relayed);

  peer.send_to(std::vector<uint8_t>{'y', 'o'}, relayed);
  auto data = client.receive();
  auto dm = StunMessage::parse(data);
  ASSERT_TRUE(dm && dm->is(Method::Data, MessageClass::Indication));
  auto payload = *dm->data();
  EXPECT_EQ(std::vector<uint8_t>(payload.begin(), payload.end()), (std::vector<uint8_t>{'y', 'o'}));

  auto stats = server.stats();
  EXPECT_EQ(stats.allocations_active, 1u);
  EXPECT_EQ(stats.packets_to_peers, 1u);
  EXPECT_EQ(stats.packets_to_clients, 1u);
  EXPECT_EQ(stats.refused_unauthenticated, 1u);
  server.stop();
  // Stopping closes the allocation and its relay socket.
  EXPECT_FALSE(server.is_relay_address(relayed));
}

TEST(TurnServer, AnswersOverTcpWithFraming) {
  TurnServer server(loopback_config());
  server.start();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(server.tcp_port());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  test::TurnTestClient tc;
  // Two requests in one write, the second split across writes.
  auto one = tc.request(Method::Binding, [](StunMessageBuilder&) {}, false);
  auto two = tc.request(Method::Binding, [](StunMessageBuilder&) {}, false);
  std::vector<uint8_t> stream = one;
  stream.insert(stream.end(), two.begin(), two.begin() + 10);
  ASSERT_EQ(::send(fd, stream.data(), stream.size(), 0), ssize_t(stream.size()));
  std::this_thread::sleep_for(50ms);
  ASSERT_EQ(::send(fd, two.data() + 10, two.size() - 10, 0), ssize_t(two.size() - 10));
  std::vector<uint8_t> got;
  while (got.size() < 2 * 32) {
    uint8_t buf[512];
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.insert(got.end(), buf, buf + n);
  }
  auto first = StunMessage::parse(std::span<const uint8_t>(got.data(), 20 + (got[2] << 8 | got[3])));
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->xor_mapped_address());
  // Garbage framing closes the connection.
  uint8_t junk[4] = {0xC0, 0, 0, 0};
  ::send(fd, junk, 4, 0);
  uint8_t buf[16];
  EXPECT_LE(::recv(fd, buf, sizeof(buf), 0), 0);
  ::close(fd);
  server.stop();
}

}  // namespace
}  // namespace ct::turn
