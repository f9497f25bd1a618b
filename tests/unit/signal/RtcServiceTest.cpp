#include <gtest/gtest.h>

#include <memory>

#include "signal/RtcService.hpp"

namespace ct::signal {
namespace {

std::shared_ptr<RtcService> service(size_t per_ip, size_t total) {
  RtcServiceConfig c;
  c.max_connections_per_ip = per_ip;
  c.max_connections = total;
  return std::make_shared<RtcService>(c, std::vector<sfu::MediaWorker*>{});
}

TEST(RtcService, CapsConnectionsPerIpv4Address) {
  auto s = service(2, 100);
  EXPECT_TRUE(s->acquire_connection("192.0.2.1"));
  EXPECT_TRUE(s->acquire_connection("192.0.2.1"));
  EXPECT_FALSE(s->acquire_connection("192.0.2.1"));
  EXPECT_TRUE(s->acquire_connection("192.0.2.2"));
  // The same host through an IPv4-mapped IPv6 socket is the same address.
  EXPECT_FALSE(s->acquire_connection("::ffff:192.0.2.1"));
  s->release_connection("192.0.2.1");
  EXPECT_TRUE(s->acquire_connection("::ffff:192.0.2.1"));
  EXPECT_EQ(s->stats().connections, 3u);
  EXPECT_EQ(s->stats().connections_total, 4u);
}

TEST(RtcService, CapsConnectionsPerIpv6Slash64) {
  auto s = service(2, 100);
  // A host can pick any address in its /64: they count together.
  EXPECT_TRUE(s->acquire_connection("2001:db8:1:2::1"));
  EXPECT_TRUE(s->acquire_connection("2001:db8:1:2:ffff:ffff:ffff:fffe"));
  EXPECT_FALSE(s->acquire_connection("2001:db8:1:2:abcd::7"));
  EXPECT_TRUE(s->acquire_connection("2001:db8:1:3::1"));  // the next /64 is someone else
  s->release_connection("2001:db8:1:2::1");
  EXPECT_TRUE(s->acquire_connection("2001:db8:1:2:abcd::7"));
}

TEST(RtcService, CapsConnectionsInTotal) {
  auto s = service(10, 3);
  EXPECT_TRUE(s->acquire_connection("192.0.2.1"));
  EXPECT_TRUE(s->acquire_connection("192.0.2.2"));
  EXPECT_TRUE(s->acquire_connection("2001:db8::1"));
  EXPECT_FALSE(s->acquire_connection("192.0.2.3"));
  s->release_connection("2001:db8::1");
  EXPECT_TRUE(s->acquire_connection("192.0.2.3"));
  EXPECT_EQ(s->stats().connections, 3u);
  // Releasing what was never acquired changes nothing.
  s->release_connection("198.51.100.9");
  EXPECT_EQ(s->stats().connections, 3u);
}

TEST(RtcService, ARelayCredentialCarriesTheClientsAddress) {
  RtcServiceConfig c;
  c.keys = {{"clusterkey", "a-secret-every-node-shares-32-bytes!"}};
  RtcService s(c, {});
  EXPECT_EQ(s.relayed_client_ip(s.relay_credential("203.0.113.9")), "203.0.113.9");
  EXPECT_EQ(s.relayed_client_ip(s.relay_credential("2001:db8::7")), "2001:db8::7");
  // Not an address, garbage, truncated, or signed with another key: ignored.
  EXPECT_FALSE(s.relayed_client_ip(s.relay_credential("not-an-ip")));
  EXPECT_FALSE(s.relayed_client_ip("garbage"));
  std::string good = s.relay_credential("203.0.113.9");
  EXPECT_FALSE(s.relayed_client_ip(std::string_view(good).substr(0, good.size() - 3)));
  RtcServiceConfig other;
  other.keys = {{"clusterkey", "another-secret-of-at-least-32-bytes!"}};
  RtcService elsewhere(other, {});
  EXPECT_FALSE(s.relayed_client_ip(elsewhere.relay_credential("203.0.113.9")));
  // A room token is no relay credential.
  AccessTokenClaims room;
  room.identity = "alice";
  room.metadata = "203.0.113.9";
  room.grants.room = "standup";
  room.grants.room_join = true;
  room.expires = std::chrono::system_clock::now() + std::chrono::minutes(1);
  EXPECT_FALSE(s.relayed_client_ip(AccessTokenSigner("clusterkey", "a-secret-every-node-shares-32-bytes!").sign(room)));
}

TEST(RtcService, ErrorCodesAndCloseReasonsAreListedFromTheStart) {
  auto s = service(1, 1);
  auto stats = s->stats();
  EXPECT_EQ(stats.errors.count("token_expired"), 1u);
  EXPECT_EQ(stats.errors.at("room_full"), 0u);
  EXPECT_EQ(stats.closes.count("rate_limited"), 1u);
  for (const char* code : {"recording_disabled", "recording_not_allowed", "recording_active",
                           "recording_not_active", "recording_failed", "e2ee_unsupported", "e2ee_not_enabled",
                           "recipient_not_found"})
    EXPECT_EQ(stats.errors.count(code), 1u) << code;
  for (const char* code : {"node_draining", "cluster_unavailable", "node_unreachable"})
    EXPECT_EQ(stats.errors.count(code), 1u) << code;
  EXPECT_EQ(stats.closes.count("node_unreachable"), 1u);
  s->count_error("room_full");
  s->count_close("left");
  EXPECT_EQ(s->stats().errors.at("room_full"), 1u);
  EXPECT_EQ(s->stats().closes.at("left"), 1u);
}

}  // namespace
}  // namespace ct::signal
