// Building blocks: REST credentials, the peer address filter, ChannelData
// framing, nonces, permission/channel tables and the bandwidth cap.
#include <gtest/gtest.h>

#include "stun/StunCredentials.hpp"
#include "turn/BandwidthLimiter.hpp"
#include "turn/ChannelData.hpp"
#include "turn/ChannelTable.hpp"
#include "turn/NonceIssuer.hpp"
#include "turn/PeerAddressPolicy.hpp"
#include "turn/PermissionTable.hpp"
#include "turn/RestCredentials.hpp"

namespace ct::turn {
namespace {

using namespace std::chrono_literals;

net::SocketAddress addr(const char* text) { return *net::SocketAddress::parse(text); }
net::SocketAddress ip(const char* text) { return *net::SocketAddress::parse_ip(text, 1234); }

TEST(RestCredentials, MatchesCoturnScheme) {
  // username "<expiry>:<user>", password base64(HMAC-SHA1(secret, username)),
  // vector computed independently with Python's hmac module.
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  auto c = make_rest_credentials("north", "alice", 3600s, now);
  EXPECT_EQ(c.username, "1700003600:alice");
  EXPECT_EQ(c.password, "wjwSXO2ch1B6VaLTLMy2Avn5O9o=");
  EXPECT_EQ(rest_password("north", "1700003600:alice"), c.password);
}

TEST(RestCredentials, ParsesUsernames) {
  auto u = parse_rest_username("1700003600:alice:extra");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->expiry_unix, 1700003600);
  EXPECT_EQ(u->user, "alice:extra");
  EXPECT_TRUE(parse_rest_username("1700003600"));
  EXPECT_FALSE(parse_rest_username("alice"));
  EXPECT_FALSE(parse_rest_username(":alice"));
  EXPECT_FALSE(parse_rest_username("17x:alice"));
  EXPECT_FALSE(parse_rest_username("-5:alice"));
  EXPECT_FALSE(parse_rest_username("99999999999999999999999:alice"));
  EXPECT_FALSE(parse_rest_username(""));
}

TEST(RestCredentials, KeysOnePerSecretAndNoneWhenExpired) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  std::vector<std::string> secrets{"old", "new"};
  auto c = make_rest_credentials("new", "bob", 60s, now);
  auto keys = rest_keys(secrets, c.username, "realm", now);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1], stun::long_term_key(c.username, "realm", c.password));
  EXPECT_NE(keys[0], keys[1]);
  EXPECT_EQ(rest_keys(secrets, c.username, "realm", now + 61s).size(), 0u);  // expired
  EXPECT_EQ(rest_keys(secrets, c.username, "realm", now + 60s).size(), 2u);  // expires at the end of the second
  EXPECT_EQ(rest_keys(secrets, "bob", "realm", now).size(), 0u);             // not a REST username
}

TEST(PeerAddressPolicy, RefusesRestrictedClassesByDefault) {
  PeerAddressPolicy policy;
  for (const char* bad : {"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                          "192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.169.254", "169.254.1.1",
                          "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.0.1", "198.18.0.1",
                          "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:0.0.0.0", "::ffff:169.254.169.254",
                          "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::127.0.0.1", "64:ff9b::7f00:1",
                          "2002:7f00:1::1", "fd00:ec2::254"}) {
    EXPECT_EQ(policy.check(ip(bad)), PeerVerdict::Refused) << bad;
  }
  for (const char* good : {"8.8.8.8", "172.32.0.1", "172.15.255.255", "100.128.0.1", "192.169.0.1", "1.1.1.1",
                           "2001:db8::1", "2606:4700::1111", "::ffff:8.8.8.8", "223.255.255.255"}) {
    EXPECT_EQ(policy.check(ip(good)), PeerVerdict::Allowed) << good;
  }
}

TEST(PeerAddressPolicy, AllowListOpensRangesAndEndpoints) {
  PeerAddressPolicy policy;
  policy.allow(*Cidr::parse("10.1.0.0/16"));
  policy.allow_endpoint(addr("127.0.0.1:7882"));
  EXPECT_EQ(policy.check(ip("10.1.200.3")), PeerVerdict::Allowed);
  EXPECT_EQ(policy.check(ip("::ffff:10.1.200.3")), PeerVerdict::Allowed);
  EXPECT_EQ(policy.check(ip("10.2.0.1")), PeerVerdict::Refused);
  EXPECT_EQ(policy.check(addr("127.0.0.1:7882")), PeerVerdict::AllowedPortOnly);
  EXPECT_TRUE(policy.endpoint_allowed(addr("[::ffff:127.0.0.1]:7882")));
  EXPECT_FALSE(policy.endpoint_allowed(addr("127.0.0.1:22")));
}

TEST(Cidr, ParsesAndMatches) {
  auto c = Cidr::parse("192.168.0.0/23");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(ip("192.168.1.255")));
  EXPECT_FALSE(c->contains(ip("192.168.2.0")));
  EXPECT_FALSE(c->contains(ip("fd00::1")));
  auto six = Cidr::parse("fd00::/8");
  ASSERT_TRUE(six);
  EXPECT_TRUE(six->contains(ip("fdff::1")));
  EXPECT_TRUE(Cidr::parse("127.0.0.1"));
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(ip("1.2.3.4")));
  EXPECT_TRUE(Cidr::parse("::ffff:10.0.0.0/8"));  // taken as the IPv4 address it maps
  for (const char* bad : {"", "/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "fd00::/129", "nonsense"})
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
}

TEST(ChannelData, RoundTripsWithAndWithoutPadding) {
  std::array<uint8_t, 64> out{};
  std::array<uint8_t, 5> data{1, 2, 3, 4, 5};
  EXPECT_EQ(write_channel_data(out, 0x4001, data, false), 9u);
  EXPECT_EQ(write_channel_data(out, 0x4001, data, true), 12u);
  EXPECT_EQ(out[0], 0x40);
  EXPECT_EQ(out[3], 5);
  EXPECT_EQ(out[9], 0);
  auto parsed = parse_channel_data(std::span<const uint8_t>(out.data(), 12));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->channel, 0x4001);
  ASSERT_EQ(parsed->data.size(), 5u);
  EXPECT_EQ(parsed->data[4], 5);
  EXPECT_EQ(write_channel_data(std::span<uint8_t>(out.data(), 8), 0x4001, data, false), 0u);  // no room
}

TEST(ChannelData, RejectsBadInput) {
  std::vector<uint8_t> truncated{0x40, 0x01, 0x00, 0x08, 1, 2, 3};
  EXPECT_FALSE(parse_channel_data(truncated));
  EXPECT_FALSE(parse_channel_data(std::vector<uint8_t>{0x40, 0x01}));
  EXPECT_FALSE(parse_channel_data(std::vector<uint8_t>{0x80, 0x01, 0x00, 0x00}));  // not a channel
  EXPECT_TRUE(parse_channel_data(std::vector<uint8_t>{0x40, 0x00, 0x00, 0x00}));   // empty data is legal
}

TEST(ChannelData, StreamFrameSizes) {
  EXPECT_EQ(stream_frame_size(std::vector<uint8_t>{0x00, 0x01, 0x00, 0x08}), 28u);  // STUN
  EXPECT_EQ(stream_frame_size(std::vector<uint8_t>{0x40, 0x01, 0x00, 0x05}), 12u);  // padded ChannelData
  EXPECT_EQ(stream_frame_size(std::vector<uint8_t>{0x40, 0x01, 0x00, 0x08}), 12u);
  EXPECT_FALSE(stream_frame_size(std::vector<uint8_t>{0xC0, 0x01, 0x00, 0x08}));
  EXPECT_FALSE(stream_frame_size(std::vector<uint8_t>{0x40, 0x01}));
}

TEST(NonceIssuer, ValidUntilExpiryAndUnforgeable) {
  NonceIssuer issuer(600s);
  NonceIssuer other(600s);
  TimePoint t0 = TimePoint{} + 1000h;
  auto nonce = issuer.make(t0);
  EXPECT_TRUE(issuer.valid(nonce, t0));
  EXPECT_TRUE(issuer.valid(nonce, t0 + 599s));
  EXPECT_FALSE(issuer.valid(nonce, t0 + 601s));
  EXPECT_FALSE(other.valid(nonce, t0));
  auto forged = nonce;
  forged[3] = forged[3] == 'f' ? 'e' : 'f';  // move the expiry
  EXPECT_FALSE(issuer.valid(forged, t0));
  EXPECT_FALSE(issuer.valid("", t0));
  EXPECT_FALSE(issuer.valid(std::string(40, 'z'), t0));
}

TEST(PermissionTable, InstallsRefreshesExpires) {
  PermissionTable t;
  TimePoint now = TimePoint{} + 1000h;
  EXPECT_TRUE(t.install(addr("8.8.8.8:1000"), now + 300s, false, 2));
  EXPECT_TRUE(t.find(addr("8.8.8.8:2222"), now)) << "permissions ignore the port";
  EXPECT_TRUE(t.find(addr("[::ffff:8.8.8.8]:1"), now));
  EXPECT_FALSE(t.find(addr("8.8.4.4:1000"), now));
  EXPECT_FALSE(t.find(addr("8.8.8.8:1000"), now + 300s));
  EXPECT_TRUE(t.install(addr("8.8.8.8:1000"), now + 600s, false, 2));
  EXPECT_TRUE(t.find(addr("8.8.8.8:1000"), now + 300s));
  EXPECT_TRUE(t.install(addr("1.1.1.1:1"), now + 300s, false, 2));
  EXPECT_FALSE(t.install(addr("9.9.9.9:1"), now + 300s, false, 2));  // over the limit
  t.expire(now + 301s);
  EXPECT_EQ(t.size(), 1u);
}

TEST(ChannelTable, BindsUniquelyAndQuarantinesAfterExpiry) {
  ChannelTable t;
  TimePoint now = TimePoint{} + 1000h;
  auto a = addr("8.8.8.8:1000"), b = addr("8.8.8.8:1001");
  EXPECT_EQ(t.bind(0x4000, a, now + 600s, now, 8), BindResult::Bound);
  EXPECT_EQ(t.bind(0x4000, a, now + 700s, now, 8), BindResult::Bound);  // refresh
  EXPECT_EQ(t.bind(0x4000, b, now + 600s, now, 8), BindResult::Conflict);
  EXPECT_EQ(t.bind(0x4001, a, now + 600s, now, 8), BindResult::Conflict);
  ASSERT_TRUE(t.find_by_channel(0x4000, now));
  EXPECT_EQ(t.find_by_peer(a, now)->channel, 0x4000);
  EXPECT_FALSE(t.find_by_channel(0x4000, now + 700s));  // expired: no data
  EXPECT_EQ(t.bind(0x4000, b, now + 1000s, now + 701s, 8), BindResult::Conflict);  // quarantined 5 minutes
  EXPECT_EQ(t.bind(0x4000, b, now + 1600s, now + 1001s, 8), BindResult::Bound);
  EXPECT_EQ(t.bind(0x4002, addr("1.1.1.1:1"), now + 1600s, now + 1001s, 1), BindResult::Full);
}

TEST(BandwidthLimiter, CapsBytesPerSecond) {
  TimePoint now = TimePoint{} + 1000h;
  BandwidthLimiter limiter(10'000, now);
  EXPECT_TRUE(limiter.allow(6000, now));
  EXPECT_FALSE(limiter.allow(6000, now));
  EXPECT_TRUE(limiter.allow(6000, now + 700ms));
  BandwidthLimiter unlimited(0, now);
  EXPECT_TRUE(unlimited.allow(1'000'000'000, now));
}

}  // namespace
}  // namespace ct::turn
