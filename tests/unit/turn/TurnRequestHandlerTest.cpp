// RFC 8656 server procedures, driven through TurnRequestHandler with fake
// sockets and a controlled clock.
#include <gtest/gtest.h>

#include "TurnTestSupport.hpp"
#include "core/Endian.hpp"
#include "turn/ChannelData.hpp"

namespace ct::turn {
namespace {

using namespace std::chrono_literals;
using stun::AttributeType;
using stun::MessageClass;
using stun::Method;
using stun::StunMessage;
using stun::StunMessageBuilder;
using test::FakeClient;
using test::FakeRelayWorld;

net::SocketAddress addr(const char* text) { return *net::SocketAddress::parse(text); }

const net::SocketAddress kPeer = addr("93.184.216.34:5000");
const net::SocketAddress kPeer2 = addr("93.184.216.35:6000");

// A received message plus the bytes it views.
struct Response {
  std::vector<uint8_t> bytes;
  std::optional<StunMessage> msg;
  Response() = default;
  explicit Response(std::vector<uint8_t> b) : bytes(std::move(b)) { msg = StunMessage::parse(bytes); }
  Response(const Response& o) : Response(o.bytes) {}
  Response& operator=(const Response& o) {
    bytes = o.bytes;
    msg = StunMessage::parse(bytes);
    return *this;
  }
  const StunMessage* operator->() const { return &*msg; }
  uint16_t code() const { return msg && msg->error_code() ? msg->error_code()->code : 0; }
  bool success() const { return msg && msg->message_class() == MessageClass::SuccessResponse; }
};

class TurnHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.realm = "test";
    config.secrets = {"old-secret", "secret"};
    config.relay_port_min = 50000;
    config.relay_port_max = 50099;
    config.bandwidth_bytes_per_second = 0;
    make_handler();
  }

  void make_handler() {
    handler = std::make_unique<TurnRequestHandler>(config, addr("203.0.113.1:0"), addr("203.0.113.1:0"), relays,
                                                   counters);
    handler->set_wall_clock([this] { return wall; });
    handler->set_clock([this] { return now; });
    auto creds = make_rest_credentials("secret", "alice", 3600s, wall);
    tc.username = creds.username;
    tc.password = creds.password;
  }

  Response send(const std::vector<uint8_t>& bytes, const FiveTuple& t, FakeClient& c) {
    std::vector<uint8_t> copy = bytes;
    size_t before = c.sent.size();
    handler->on_client_message(copy, t, c, now);
    if (c.sent.size() == before) return Response{};
    return Response(c.sent.back());
  }
  Response send(const std::vector<uint8_t>& bytes) { return send(bytes, tuple, *client); }

  void fetch_nonce(test::TurnTestClient& who, const FiveTuple& t, FakeClient& c) {
    auto r = send(who.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); }, false),
                  t, c);
    ASSERT_EQ(r.code(), 401);
    ASSERT_TRUE(r->nonce());
    EXPECT_EQ(*r->realm(), "test");
    EXPECT_FALSE(r->has_message_integrity());
    who.nonce = std::string(*r->nonce());
  }

  Response allocate(test::TurnTestClient& who, const FiveTuple& t, FakeClient& c) {
    fetch_nonce(who, t, c);
    return send(who.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); }), t, c);
  }
  Response allocate() { return allocate(tc, tuple, *client); }

  Response create_permission(const net::SocketAddress& peer) {
    return send(tc.request(Method::CreatePermission, [&](StunMessageBuilder& b) { b.add_xor_peer_address(peer); }));
  }
  Response channel_bind(uint16_t channel, const net::SocketAddress& peer) {
    return send(tc.request(Method::ChannelBind, [&](StunMessageBuilder& b) {
      b.add_channel_number(channel);
      b.add_xor_peer_address(peer);
    }));
  }
  std::vector<uint8_t> send_indication(const net::SocketAddress& peer, std::vector<uint8_t> data) {
    std::vector<uint8_t> out;
    StunMessageBuilder b(out, Method::Send, MessageClass::Indication, test::new_id());
    b.add_xor_peer_address(peer).add_data(data);
    return out;
  }
  uint16_t relay_port() const { return handler->find(tuple)->relayed_address.port(); }
  std::array<uint8_t, 16> key() const { return stun::long_term_key(tc.username, tc.realm, tc.password); }

  TurnServerConfig config;
  FakeRelayWorld relays;
  TurnCounters counters;
  std::unique_ptr<TurnRequestHandler> handler;
  TimePoint now = TimePoint{} + 1000h;
  std::chrono::system_clock::time_point wall{std::chrono::seconds(1'700'000'000)};
  FiveTuple tuple{addr("198.51.100.7:40000"), addr("203.0.113.1:3478"), Transport::Udp};
  std::shared_ptr<FakeClient> client = FakeClient::make();
  test::TurnTestClient tc;
};

TEST_F(TurnHandlerTest, BindingNeedsNoCredentials) {
  auto r = send(tc.request(Method::Binding, [](StunMessageBuilder&) {}, false));
  ASSERT_TRUE(r.success());
  EXPECT_EQ(*r->xor_mapped_address(), tuple.client);
}

TEST_F(TurnHandlerTest, AllocateChallengesThenSucceeds) {
  auto r = allocate();
  ASSERT_TRUE(r.success()) << r.code();
  auto relayed = r->xor_relayed_address();
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->ip_string(), "203.0.113.1");
  EXPECT_GE(relayed->port(), 50000);
  EXPECT_LE(relayed->port(), 50099);
  EXPECT_EQ(*r->lifetime(), 600u);
  EXPECT_EQ(*r->xor_mapped_address(), tuple.client);
  EXPECT_TRUE(r->verify_message_integrity(key()));
  EXPECT_TRUE(r->verify_fingerprint());
  EXPECT_EQ(handler->allocation_count(), 1u);
  EXPECT_EQ(counters.allocations_active.get(), 1u);
  EXPECT_EQ(counters.refused_unauthenticated.get(), 1u);  // the first challenge
}

TEST_F(TurnHandlerTest, RotatedSecretsBothWork) {
  auto creds = make_rest_credentials("old-secret", "alice", 3600s, wall);
  tc.username = creds.username;
  tc.password = creds.password;
  EXPECT_TRUE(allocate().success());
}

TEST_F(TurnHandlerTest, WrongSecretExpiredOrMalformedUsernameGet401) {
  auto wrong = make_rest_credentials("not-the-secret", "alice", 3600s, wall);
  tc.password = wrong.password;
  EXPECT_EQ(allocate().code(), 401);

  auto expired = make_rest_credentials("secret", "alice", -1s, wall);
  tc.username = expired.username;
  tc.password = expired.password;
  EXPECT_EQ(allocate().code(), 401);

  tc.username = "alice";
  tc.password = rest_password("secret", "alice");
  EXPECT_EQ(allocate().code(), 401);
  EXPECT_EQ(handler->allocation_count(), 0u);
}

TEST_F(TurnHandlerTest, RealmMismatchIs401AndMissingNonceIs400) {
  fetch_nonce(tc, tuple, *client);
  tc.realm = "other";
  EXPECT_EQ(send(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); })).code(), 401);
  std::vector<uint8_t> out;
  StunMessageBuilder b(out, Method::Allocate, MessageClass::Request, test::new_id());
  b.add_requested_transport().add_username(tc.username).add_message_integrity(key());
  EXPECT_EQ(send(out).code(), 400);
}

TEST_F(TurnHandlerTest, StaleAndForgedNoncesGet438WithAFreshNonce) {
  fetch_nonce(tc, tuple, *client);
  now += 601s;
  auto r = send(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); }));
  EXPECT_EQ(r.code(), 438);
  ASSERT_TRUE(r->nonce());
  EXPECT_NE(*r->nonce(), tc.nonce);
  tc.nonce = std::string(*r->nonce());
  EXPECT_TRUE(send(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); })).success());
  tc.nonce = "forged";
  EXPECT_EQ(send(tc.request(Method::Refresh, [](StunMessageBuilder&) {})).code(), 438);
  EXPECT_EQ(counters.refused_stale_nonce.get(), 2u);
}

TEST_F(TurnHandlerTest, AllocateLifetimeIsClampedBetweenDefaultAndMaximum) {
  uint16_t next_port = 41000;
  auto with_lifetime = [&](uint32_t seconds) {
    FiveTuple t = tuple;
    t.client.set_port(next_port++);
    auto c = FakeClient::make();
    fetch_nonce(tc, t, *c);
    auto r = send(tc.request(Method::Allocate, [&](StunMessageBuilder& b) {
      b.add_requested_transport().add_lifetime(seconds);
    }), t, *c);
    return r->lifetime().value_or(0);
  };
  EXPECT_EQ(with_lifetime(10), 600u);
  EXPECT_EQ(with_lifetime(1000), 1000u);
  EXPECT_EQ(with_lifetime(100000), 3600u);
}

TEST_F(TurnHandlerTest, SecondAllocateIs437ButARetransmissionIsAnsweredAgain) {
  fetch_nonce(tc, tuple, *client);
  auto id = test::new_id();
  auto request = tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); }, true, id);
  auto first = send(request);
  ASSERT_TRUE(first.success());
  auto again = send(request);
  EXPECT_EQ(again.bytes, first.bytes);
  EXPECT_EQ(send(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); })).code(), 437);
  EXPECT_EQ(handler->allocation_count(), 1u);
}

TEST_F(TurnHandlerTest, RequestedTransportIsRequiredAndMustBeUdp) {
  fetch_nonce(tc, tuple, *client);
  EXPECT_EQ(send(tc.request(Method::Allocate, [](StunMessageBuilder&) {})).code(), 400);
  EXPECT_EQ(send(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(6); })).code(), 442);
}

TEST_F(TurnHandlerTest, AddressFamilyOtherThanTheRelaysIs440) {
  fetch_nonce(tc, tuple, *client);
  std::array<uint8_t, 4> v6{0x02, 0, 0, 0};
  auto r = send(tc.request(Method::Allocate, [&](StunMessageBuilder& b) {
    b.add_requested_transport().add_attribute(AttributeType::RequestedAddressFamily, v6);
  }));
  EXPECT_EQ(r.code(), 440);
}

TEST_F(TurnHandlerTest, EvenPortReservesTheNextPortForTheToken) {
  fetch_nonce(tc, tuple, *client);
  auto r = send(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport().add_even_port(true); }));
  ASSERT_TRUE(r.success()) << r.code();
  uint16_t port = r->xor_relayed_address()->port();
  EXPECT_EQ(port % 2, 0);
  auto token = r->reservation_token();
  ASSERT_TRUE(token);
  EXPECT_EQ(handler->reservation_count(), 1u);

  FiveTuple t2 = tuple;
  t2.client.set_port(40001);
  auto c2 = FakeClient::make();
  fetch_nonce(tc, t2, *c2);
  auto with_both = send(tc.request(Method::Allocate, [&](StunMessageBuilder& b) {
    b.add_requested_transport().add_reservation_token(*token).add_even_port(false);
  }), t2, *c2);
  EXPECT_EQ(with_both.code(), 400);
  auto unknown = send(tc.request(Method::Allocate, [&](StunMessageBuilder& b) {
    b.add_requested_transport().add_reservation_token(*token + 1);
  }), t2, *c2);
  EXPECT_EQ(unknown.code(), 508);
  auto second = send(tc.request(Method::Allocate, [&](StunMessageBuilder& b) {
    b.add_requested_transport().add_reservation_token(*token);
  }), t2, *c2);
  ASSERT_TRUE(second.success()) << second.code();
  EXPECT_EQ(second->xor_relayed_address()->port(), port + 1);
  EXPECT_EQ(handler->reservation_count(), 0u);
}

TEST_F(TurnHandlerTest, ReservationsExpire) {
  fetch_nonce(tc, tuple, *client);
  auto r = send(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport().add_even_port(true); }));
  ASSERT_TRUE(r.success());
  handler->expire(now + 31s);
  EXPECT_EQ(handler->reservation_count(), 0u);
}

TEST_F(TurnHandlerTest, FullPortRangeIs508) {
  for (uint16_t p = 50000; p <= 50099; ++p) relays.busy.insert(p);
  EXPECT_EQ(allocate().code(), 508);
  EXPECT_EQ(counters.refused_capacity.get(), 1u);
}

TEST_F(TurnHandlerTest, PerUserAndTotalQuotasAre486) {
  config.max_allocations_per_user = 2;
  config.max_allocations = 3;
  make_handler();
  auto at = [&](uint16_t port) {
    FiveTuple t = tuple;
    t.client.set_port(port);
    return t;
  };
  auto c = FakeClient::make();
  EXPECT_TRUE(allocate(tc, at(1), *c).success());
  EXPECT_TRUE(allocate(tc, at(2), *c).success());
  EXPECT_EQ(allocate(tc, at(3), *c).code(), 486);
  test::TurnTestClient bob;
  auto creds = make_rest_credentials("secret", "bob", 3600s, wall);
  bob.username = creds.username;
  bob.password = creds.password;
  EXPECT_TRUE(allocate(bob, at(4), *c).success());
  EXPECT_EQ(allocate(bob, at(5), *c).code(), 486);  // total
  EXPECT_EQ(counters.refused_quota.get(), 2u);
  // Deleting one frees a slot.
  handler->on_connection_closed(at(1));
  EXPECT_TRUE(allocate(tc, at(6), *c).success());
}

TEST_F(TurnHandlerTest, RequestsWithoutAllocationAre437) {
  fetch_nonce(tc, tuple, *client);
  EXPECT_EQ(send(tc.request(Method::Refresh, [](StunMessageBuilder&) {})).code(), 437);
  EXPECT_EQ(create_permission(kPeer).code(), 437);
  EXPECT_EQ(channel_bind(0x4000, kPeer).code(), 437);
}

TEST_F(TurnHandlerTest, OtherUsernameOnTheAllocationIs441) {
  ASSERT_TRUE(allocate().success());
  auto creds = make_rest_credentials("secret", "mallory", 3600s, wall);
  tc.username = creds.username;
  tc.password = creds.password;
  EXPECT_EQ(send(tc.request(Method::Refresh, [](StunMessageBuilder&) {})).code(), 441);
}

// A new client on a crashed client's address (a NAT reused the port): its
// Allocate, under another username, learns that the 5-tuple is taken, so it
// can retry from another port (RFC 8656 §7.2 step 2, §7.3), not 441.
TEST_F(TurnHandlerTest, AllocateUnderAnotherUsernameOnATakenFiveTupleIs437) {
  ASSERT_TRUE(allocate().success());
  auto creds = make_rest_credentials("secret", "newcomer", 3600s, wall);
  tc.username = creds.username;
  tc.password = creds.password;
  EXPECT_EQ(send(tc.request(Method::Allocate, [](StunMessageBuilder& b) { b.add_requested_transport(); })).code(),
            437);
  EXPECT_EQ(handler->allocation_count(), 1u);
}

TEST_F(TurnHandlerTest, RefreshExtendsAndZeroDeletes) {
  ASSERT_TRUE(allocate().success());
  now += 500s;
  auto r = send(tc.request(Method::Refresh, [](StunMessageBuilder& b) { b.add_lifetime(900); }));
  ASSERT_TRUE(r.success());
  EXPECT_EQ(*r->lifetime(), 900u);
  handler->expire(now + 899s);
  EXPECT_EQ(handler->allocation_count(), 1u);
  r = send(tc.request(Method::Refresh, [](StunMessageBuilder& b) { b.add_lifetime(0); }));
  ASSERT_TRUE(r.success());
  EXPECT_EQ(*r->lifetime(), 0u);
  EXPECT_EQ(handler->allocation_count(), 0u);
  EXPECT_TRUE(relays.open_ports.empty()) << "the relay socket is closed with the allocation";
  EXPECT_EQ(counters.allocations_active.get(), 0u);
}

TEST_F(TurnHandlerTest, AllocationExpiresAfterItsLifetime) {
  ASSERT_TRUE(allocate().success());
  handler->expire(now + 599s);
  EXPECT_EQ(handler->allocation_count(), 1u);
  handler->expire(now + 600s);
  EXPECT_EQ(handler->allocation_count(), 0u);
}

TEST_F(TurnHandlerTest, CreatePermissionRefusesRestrictedPeers) {
  ASSERT_TRUE(allocate().success());
  for (const char* bad : {"127.0.0.1:80", "0.0.0.0:80", "10.0.0.1:80", "169.254.169.254:80", "100.64.0.1:80",
                          "[::ffff:127.0.0.1]:80", "[::ffff:169.254.169.254]:80", "224.0.0.1:80"}) {
    auto r = create_permission(addr(bad));
    EXPECT_EQ(r.code(), 403) << bad;
    EXPECT_TRUE(r->verify_message_integrity(key()));
  }
  EXPECT_EQ(create_permission(addr("[::1]:80")).code(), 443);  // another family than the relay
  EXPECT_EQ(create_permission(addr("[2001:db8::1]:80")).code(), 443);
  EXPECT_EQ(send(tc.request(Method::CreatePermission, [](StunMessageBuilder&) {})).code(), 400);
  EXPECT_EQ(counters.refused_forbidden_peer.get(), 8u);
}

TEST_F(TurnHandlerTest, PermissionIsAllOrNothing) {
  ASSERT_TRUE(allocate().success());
  auto r = send(tc.request(Method::CreatePermission, [](StunMessageBuilder& b) {
    b.add_xor_peer_address(kPeer).add_xor_peer_address(addr("192.168.1.1:1"));
  }));
  EXPECT_EQ(r.code(), 403);
  client->sent.clear();
  handler->on_client_message(*std::make_unique<std::vector<uint8_t>>(send_indication(kPeer, {1, 2, 3})), tuple,
                             *client, now);
  EXPECT_TRUE(relays.sent.empty());
}

TEST_F(TurnHandlerTest, SendAndDataIndicationsNeedAPermission) {
  ASSERT_TRUE(allocate().success());
  auto ind = send_indication(kPeer, {1, 2, 3});
  handler->on_client_message(ind, tuple, *client, now);
  EXPECT_TRUE(relays.sent.empty());
  EXPECT_EQ(counters.dropped_no_permission.get(), 1u);
  ASSERT_TRUE(relays.deliver(relay_port(), kPeer, {9, 9}));
  size_t before = client->sent.size();

  ASSERT_TRUE(create_permission(kPeer).success());
  ind = send_indication(addr("93.184.216.34:7777"), {1, 2, 3});  // any port of a permitted IP
  handler->on_client_message(ind, tuple, *client, now);
  ASSERT_EQ(relays.sent.size(), 1u);
  EXPECT_EQ(relays.sent[0].to, addr("93.184.216.34:7777"));
  EXPECT_EQ(relays.sent[0].data, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(relays.sent[0].from_port, relay_port());

  before = client->sent.size();
  ASSERT_TRUE(relays.deliver(relay_port(), kPeer, {4, 5, 6, 7, 8}));
  ASSERT_EQ(client->sent.size(), before + 1);
  Response data(client->sent.back());
  ASSERT_TRUE(data->is(Method::Data, MessageClass::Indication));
  EXPECT_EQ(*data->xor_peer_address(), kPeer);
  EXPECT_EQ(data->data()->size(), 5u);
  EXPECT_EQ(counters.packets_to_clients.get(), 1u);
  EXPECT_EQ(counters.packets_to_peers.get(), 1u);

  // Datagrams from other IPs are dropped; the permission lapses after 300 s.
  before = client->sent.size();
  relays.deliver(relay_port(), kPeer2, {1});
  EXPECT_EQ(client->sent.size(), before);
  now += 301s;
  relays.deliver(relay_port(), kPeer, {1});
  EXPECT_EQ(client->sent.size(), before);
}

TEST_F(TurnHandlerTest, ChannelBindValidatesAndCarriesChannelData) {
  ASSERT_TRUE(allocate().success());
  EXPECT_EQ(channel_bind(0x3FFF, kPeer).code(), 400);
  EXPECT_EQ(channel_bind(0x8000, kPeer).code(), 400);
  EXPECT_EQ(send(tc.request(Method::ChannelBind, [](StunMessageBuilder& b) { b.add_channel_number(0x4000); })).code(),
            400);
  EXPECT_EQ(channel_bind(0x4000, addr("127.0.0.1:9")).code(), 403);
  ASSERT_TRUE(channel_bind(0x4000, kPeer).success());
  EXPECT_EQ(channel_bind(0x4000, kPeer2).code(), 400);  // number taken
  EXPECT_EQ(channel_bind(0x4001, kPeer).code(), 400);   // peer taken
  ASSERT_TRUE(channel_bind(0x4000, kPeer).success());   // refresh

  // Client -> peer: ChannelData, possibly padded on UDP.
  std::vector<uint8_t> cd(12);
  std::vector<uint8_t> payload{1, 2, 3, 4, 5};
  ASSERT_EQ(write_channel_data(cd, 0x4000, payload, true), 12u);
  handler->on_client_message(cd, tuple, *client, now);
  ASSERT_EQ(relays.sent.size(), 1u);
  EXPECT_EQ(relays.sent[0].to, kPeer);
  EXPECT_EQ(relays.sent[0].data, payload);
  // Unbound channel: dropped.
  ASSERT_EQ(write_channel_data(cd, 0x4005, payload, true), 12u);
  handler->on_client_message(cd, tuple, *client, now);
  EXPECT_EQ(relays.sent.size(), 1u);

  // Peer -> client: ChannelData, unpadded over UDP.
  size_t before = client->sent.size();
  ASSERT_TRUE(relays.deliver(relay_port(), kPeer, payload));
  ASSERT_EQ(client->sent.size(), before + 1);
  EXPECT_EQ(client->sent.back(), (std::vector<uint8_t>{0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5}));

  // After 600 s without refresh the channel is gone (and the permission too).
  now += 601s;
  before = client->sent.size();
  relays.deliver(relay_port(), kPeer, payload);
  EXPECT_EQ(client->sent.size(), before);
}

TEST_F(TurnHandlerTest, ChannelDataIsPaddedOnStreams) {
  tuple.transport = Transport::Tcp;
  client = FakeClient::make(true);
  ASSERT_TRUE(allocate().success());
  ASSERT_TRUE(channel_bind(0x4001, kPeer).success());
  ASSERT_TRUE(relays.deliver(relay_port(), kPeer, {1, 2, 3, 4, 5}));
  EXPECT_EQ(client->sent.back(), (std::vector<uint8_t>{0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0}));
  handler->on_connection_closed(tuple);
  EXPECT_EQ(handler->allocation_count(), 0u);
}

TEST_F(TurnHandlerTest, AllowListOpensRangesAndEndpointsStayPortExact) {
  config.allow_peers = {"10.9.0.0/16"};
  make_handler();
  handler->policy().allow_endpoint(addr("127.0.0.1:7882"));
  ASSERT_TRUE(allocate().success());
  EXPECT_TRUE(create_permission(addr("10.9.1.1:5")).success());
  EXPECT_EQ(create_permission(addr("10.8.1.1:5")).code(), 403);
  ASSERT_TRUE(create_permission(addr("127.0.0.1:7882")).success());
  handler->on_client_message(*std::make_unique<std::vector<uint8_t>>(send_indication(addr("127.0.0.1:22"), {1})),
                             tuple, *client, now);
  EXPECT_TRUE(relays.sent.empty()) << "other ports of the allowed endpoint's host stay closed";
  auto ok = send_indication(addr("127.0.0.1:7882"), {1});
  handler->on_client_message(ok, tuple, *client, now);
  EXPECT_EQ(relays.sent.size(), 1u);
  size_t before = client->sent.size();
  relays.deliver(relay_port(), addr("127.0.0.1:22"), {1});
  EXPECT_EQ(client->sent.size(), before);
  relays.deliver(relay_port(), addr("127.0.0.1:7882"), {1});
  EXPECT_EQ(client->sent.size(), before + 1);
  EXPECT_THROW(
      {
        config.allow_peers = {"not-a-cidr"};
        make_handler();
      },
      std::invalid_argument);
}

TEST_F(TurnHandlerTest, BandwidthCapDropsExcess) {
  config.bandwidth_bytes_per_second = 1000;
  make_handler();
  ASSERT_TRUE(allocate().success());
  ASSERT_TRUE(create_permission(kPeer).success());
  for (int i = 0; i < 5; ++i) {
    auto ind = send_indication(kPeer, std::vector<uint8_t>(400, 1));
    handler->on_client_message(ind, tuple, *client, now);
  }
  EXPECT_EQ(relays.sent.size(), 2u);
  EXPECT_EQ(counters.dropped_bandwidth.get(), 3u);
}

TEST_F(TurnHandlerTest, UnknownComprehensionRequiredAttributeIs420) {
  std::array<uint8_t, 4> v{};
  auto r = send(tc.request(Method::Allocate, [&](StunMessageBuilder& b) {
    b.add_requested_transport().add_attribute(AttributeType(0x7F01), v);
  }, false));
  EXPECT_EQ(r.code(), 420);
  auto unknown = r->unknown_attributes();
  ASSERT_TRUE(unknown);
  EXPECT_EQ((*unknown)[0], 0x7F01);
}

TEST_F(TurnHandlerTest, UnknownMethodIs400AndIndicationsAreNeverAnswered) {
  std::vector<uint8_t> out;
  StunMessageBuilder(out, Method(0x0FF), MessageClass::Request, test::new_id());
  EXPECT_EQ(send(out).code(), 400);
  StunMessageBuilder(out, Method::Data, MessageClass::Indication, test::new_id());
  EXPECT_FALSE(send(out).msg);
}

TEST_F(TurnHandlerTest, GarbageNeverCrashesNorAnswers) {
  ASSERT_TRUE(allocate().success());
  ASSERT_TRUE(channel_bind(0x4000, kPeer).success());
  size_t before = client->sent.size();
  std::vector<std::vector<uint8_t>> inputs = {
      {}, {0x00}, {0x40, 0x00}, {0x40, 0x00, 0xFF, 0xFF, 1}, {0xFF, 0xFF, 0xFF, 0xFF}, std::vector<uint8_t>(20, 0),
      {0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
  };
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> r(random_u32() % 120);
    random_bytes(r);
    if (i % 2 && r.size() >= 8) {  // a valid-looking STUN header over random attributes
      r[0] = 0x00;
      r[1] = 0x03;
      store_u16(&r[2], uint16_t((r.size() - 20) & ~3u));
      store_u32(&r[4], stun::kMagicCookie);
      r.resize(20 + ((r.size() - 20) & ~size_t(3)));
    }
    inputs.push_back(r);
  }
  for (auto& in : inputs) handler->on_client_message(in, tuple, *client, now);
  for (auto& in : inputs) relays.deliver(relay_port(), kPeer, in);
  EXPECT_GE(client->sent.size(), before);
  EXPECT_EQ(handler->allocation_count(), 1u);
}

}  // namespace
}  // namespace ct::turn
