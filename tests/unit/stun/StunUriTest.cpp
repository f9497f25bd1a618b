#include <gtest/gtest.h>

#include "stun/StunUri.hpp"

namespace ct::stun {
namespace {

StunUri ok(std::string_view text) {
  auto r = StunUri::parse(text);
  if (auto* error = std::get_if<std::string>(&r)) ADD_FAILURE() << text << ": " << *error;
  return std::holds_alternative<StunUri>(r) ? std::get<StunUri>(r) : StunUri{};
}

std::string error(std::string_view text) {
  auto r = StunUri::parse(text);
  if (std::holds_alternative<StunUri>(r)) {
    ADD_FAILURE() << text << " was accepted";
    return {};
  }
  return std::get<std::string>(r);
}

TEST(StunUri, StunWithAndWithoutPort) {
  auto a = ok("stun:stun.example.com");
  EXPECT_EQ(a.scheme(), StunUri::Scheme::Stun);
  EXPECT_FALSE(a.is_turn());
  EXPECT_EQ(a.host(), "stun.example.com");
  EXPECT_EQ(a.port(), 3478);
  EXPECT_FALSE(a.has_port());
  EXPECT_EQ(a.to_string(), "stun:stun.example.com");

  auto b = ok("stun:203.0.113.7:19302");
  EXPECT_EQ(b.host(), "203.0.113.7");
  EXPECT_EQ(b.port(), 19302);
  EXPECT_EQ(b.to_string(), "stun:203.0.113.7:19302");
}

TEST(StunUri, SecureSchemesDefaultTo5349) {
  auto s = ok("stuns:stun.example.com");
  EXPECT_TRUE(s.is_secure());
  EXPECT_EQ(s.port(), 5349);
  auto t = ok("turns:turn.example.com?transport=tcp");
  EXPECT_EQ(t.scheme(), StunUri::Scheme::Turns);
  EXPECT_TRUE(t.is_turn());
  EXPECT_EQ(t.port(), 5349);
  EXPECT_EQ(t.transport(), StunUri::Transport::Tcp);
}

TEST(StunUri, TurnTransports) {
  EXPECT_EQ(ok("turn:turn.example.com:3478?transport=udp").transport(), StunUri::Transport::Udp);
  EXPECT_EQ(ok("turn:turn.example.com:443?transport=tcp").transport(), StunUri::Transport::Tcp);
  EXPECT_EQ(ok("turn:turn.example.com").transport(), StunUri::Transport::Default);
  EXPECT_EQ(ok("turns:turn.example.com:443?transport=tcp").to_string(),
            "turns:turn.example.com:443?transport=tcp");
}

TEST(StunUri, SchemeHostAndTransportAreCaseInsensitive) {
  auto u = ok("TURN:Turn.Example.COM:3478?Transport=UDP");
  EXPECT_EQ(u.to_string(), "turn:turn.example.com:3478?transport=udp");
}

TEST(StunUri, Ipv6Literal) {
  auto u = ok("turn:[2001:db8::1]:3478?transport=tcp");
  EXPECT_EQ(u.host(), "2001:db8::1");
  EXPECT_EQ(u.port(), 3478);
  EXPECT_EQ(u.to_string(), "turn:[2001:db8::1]:3478?transport=tcp");
  EXPECT_EQ(ok("stun:[::1]").port(), 3478);
  EXPECT_NE(error("stun:[2001:db8::1"), "");
  EXPECT_NE(error("stun:[not-an-address]:3478"), "");
  EXPECT_NE(error("stun:[::1]x"), "");
  EXPECT_NE(error("stun:2001:db8::1"), "");  // unbracketed
}

TEST(StunUri, RefusesOtherSchemesAndForms) {
  EXPECT_NE(error(""), "");
  EXPECT_NE(error("stun.example.com"), "");
  EXPECT_NE(error("http://stun.example.com"), "");
  EXPECT_NE(error("turn://turn.example.com:3478"), "");
  EXPECT_NE(error("turn:alice:secret@turn.example.com"), "");
  EXPECT_NE(error("stun:"), "");
  EXPECT_NE(error("stun::3478"), "");
  EXPECT_NE(error("stun:host/path"), "");
  EXPECT_NE(error("stun:ho st"), "");
  EXPECT_NE(error("stun:host\n"), "");
  EXPECT_NE(error("stun:h\xc3\xa9st"), "");
}

TEST(StunUri, RefusesBadPorts) {
  EXPECT_NE(error("stun:host:"), "");
  EXPECT_NE(error("stun:host:0"), "");
  EXPECT_NE(error("stun:host:65536"), "");
  EXPECT_NE(error("stun:host:123456"), "");
  EXPECT_NE(error("stun:host:-1"), "");
  EXPECT_NE(error("stun:host:34a"), "");
  EXPECT_EQ(ok("stun:host:65535").port(), 65535);
}

TEST(StunUri, RefusesBadQueries) {
  EXPECT_NE(error("stun:host?transport=udp"), "");  // RFC 7064: no query on stun:
  EXPECT_NE(error("turn:host?"), "");
  EXPECT_NE(error("turn:host?transport="), "");
  EXPECT_NE(error("turn:host?transport=sctp"), "");
  EXPECT_NE(error("turn:host?foo=bar"), "");
  EXPECT_NE(error("turns:host?transport=udp"), "");  // TURN over DTLS: not in browsers
}

TEST(StunUri, TruncatedInputNeverParsesAsMore) {
  const std::string full = "turns:[2001:db8::5]:5349?transport=tcp";
  for (size_t n = 0; n < full.size(); ++n) {
    auto r = StunUri::parse(std::string_view(full).substr(0, n));
    if (auto* u = std::get_if<StunUri>(&r)) {
      // Every prefix that parses is a URI of its own, and prints back to itself.
      EXPECT_EQ(StunUri::parse(u->to_string()).index(), 0u) << n;
    }
  }
  EXPECT_EQ(ok(full).to_string(), full);
}

TEST(StunUri, RefusesOverlongInput) {
  EXPECT_NE(error("stun:" + std::string(600, 'a')), "");
  EXPECT_NE(error("stun:" + std::string(254, 'a')), "");
  EXPECT_EQ(ok("stun:" + std::string(253, 'a')).host().size(), 253u);
}

TEST(StunUri, GarbageNeverCrashesAndAcceptedUrisRoundTrip) {
  uint32_t state = 12345;
  const std::string alphabet = "stunr:[]?=@/.0123456789abcdef:x- \x01\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string s = i % 2 ? "turn:" : "";
    const int len = int(state % 40);
    for (int k = 0; k < len; ++k) {
      state = state * 1103515245 + 12345;
      s += alphabet[(state >> 16) % alphabet.size()];
    }
    auto r = StunUri::parse(s);
    if (auto* u = std::get_if<StunUri>(&r)) {
      auto again = StunUri::parse(u->to_string());
      ASSERT_TRUE(std::holds_alternative<StunUri>(again)) << s;
      EXPECT_EQ(std::get<StunUri>(again).to_string(), u->to_string());
    }
  }
}

}  // namespace
}  // namespace ct::stun
