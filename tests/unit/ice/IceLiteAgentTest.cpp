#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "core/Endian.hpp"
#include "core/Random.hpp"
#include "ice/IceLiteAgent.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunCrypto.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"

namespace ct::ice {
namespace {

using stun::AttributeType;
using stun::MessageClass;
using stun::Method;
using stun::StunMessage;
using stun::StunMessageBuilder;
using Outcome = IceLiteAgent::Outcome;

constexpr std::string_view kServerUfrag = "srv1";
constexpr std::string_view kServerPwd = "s3rverPassw0rdS3rverPa";  // 22 chars
constexpr std::string_view kClientUfrag = "cli1";

net::SocketAddress addr(std::string_view text) { return *net::SocketAddress::parse(text); }

struct CheckOptions {
  std::string username = std::string(kServerUfrag) + ":" + std::string(kClientUfrag);
  std::string pwd = std::string(kServerPwd);
  bool use_candidate = false;
  bool integrity = true;
  bool controlled = false;  // send ICE-CONTROLLED instead of ICE-CONTROLLING
  bool username_attr = true;
  uint16_t extra_attribute = 0;
};

// A connectivity check laid out as Chromium sends it: USERNAME,
// GOOG-NETWORK-INFO, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY,
// MESSAGE-INTEGRITY (keyed with the server's pwd), FINGERPRINT.
std::vector<uint8_t> make_check(const CheckOptions& o = {}) {
  stun::TransactionId id;
  random_bytes(id);
  std::vector<uint8_t> out;
  StunMessageBuilder b(out, Method::Binding, MessageClass::Request, id);
  if (o.username_attr) b.add_username(o.username);
  const uint8_t network_info[4] = {0x00, 0x01, 0x00, 0x0a};  // network id 1, cost 10
  b.add_attribute(AttributeType::GoogNetworkInfo, network_info);
  if (o.controlled) {
    b.add_ice_controlled(0x1122334455667788ull);
  } else {
    b.add_ice_controlling(0x1122334455667788ull);
  }
  if (o.use_candidate) b.add_use_candidate();
  b.add_priority(0x6e7f1eff);
  if (o.extra_attribute) b.add_attribute(AttributeType(o.extra_attribute), {});
  if (o.integrity) b.add_message_integrity(stun::short_term_key(o.pwd));
  b.add_fingerprint();
  return out;
}

class IceLiteAgentTest : public ::testing::Test {
 protected:
  IceLiteAgent agent{std::string(kServerUfrag), std::string(kServerPwd)};
  TimePoint t0 = TimePoint{} + seconds(1000);
  std::vector<uint8_t> response;

  Outcome send(const std::vector<uint8_t>& check, const net::SocketAddress& from, TimePoint now) {
    auto m = StunMessage::parse(check);
    EXPECT_TRUE(m);
    if (!m) return Outcome::Ignored;
    return agent.handle_binding_request(*m, from, now, response);
  }
  Outcome check(const CheckOptions& o, const net::SocketAddress& from, TimePoint now) {
    return send(make_check(o), from, now);
  }
  // The error code of the error response in `response`.
  uint16_t error_code() {
    auto r = StunMessage::parse(response);
    if (!r || !r->is(Method::Binding, MessageClass::ErrorResponse) || !r->error_code()) return 0;
    EXPECT_TRUE(r->verify_fingerprint());
    return r->error_code()->code;
  }
};

TEST_F(IceLiteAgentTest, HappyPathNominatedCheck) {
  const auto from = addr("192.168.1.20:54321");
  const auto check = make_check({.use_candidate = true});
  EXPECT_EQ(send(check, from, t0), Outcome::Responded);

  auto r = StunMessage::parse(response);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->is(Method::Binding, MessageClass::SuccessResponse));
  EXPECT_EQ(r->transaction_id(), StunMessage::parse(check)->transaction_id());
  EXPECT_EQ(r->xor_mapped_address(), from);
  EXPECT_TRUE(r->verify_message_integrity(stun::short_term_key(kServerPwd)));
  EXPECT_TRUE(r->verify_fingerprint());
  // MESSAGE-INTEGRITY then FINGERPRINT, last.
  ASSERT_EQ(r->attributes().size(), 3u);
  EXPECT_EQ(r->attributes()[1].type, AttributeType::MessageIntegrity);
  EXPECT_EQ(r->attributes()[2].type, AttributeType::Fingerprint);

  EXPECT_EQ(agent.selected_address(), from);
  EXPECT_TRUE(agent.is_connected(t0));
  EXPECT_TRUE(agent.is_validated_address(from));
  EXPECT_FALSE(agent.is_validated_address(addr("192.168.1.20:54322")));
}

TEST_F(IceLiteAgentTest, Ipv6Source) {
  const auto from = addr("[2001:db8::5]:40000");
  EXPECT_EQ(check({.use_candidate = true}, from, t0), Outcome::Responded);
  EXPECT_EQ(StunMessage::parse(response)->xor_mapped_address(), from);
  EXPECT_EQ(agent.selected_address(), from);
}

TEST_F(IceLiteAgentTest, WrongUfragIsRejectedWith401) {
  const auto from = addr("10.0.0.2:5000");
  for (std::string username : {"srv2:cli1", "srv1cli1", "srv", "srv1", "xsrv1:cli1", ":srv1"}) {
    EXPECT_EQ(check({.username = username, .use_candidate = true}, from, t0), Outcome::Rejected) << username;
    EXPECT_EQ(error_code(), 401) << username;
    EXPECT_FALSE(StunMessage::parse(response)->has_message_integrity());
  }
  EXPECT_FALSE(agent.selected_address());
  EXPECT_FALSE(agent.is_validated_address(from));
}

TEST_F(IceLiteAgentTest, BadIntegrityIsRejectedWith401) {
  const auto from = addr("10.0.0.2:5000");
  EXPECT_EQ(check({.pwd = "wrongPasswordWrongPassw", .use_candidate = true}, from, t0), Outcome::Rejected);
  EXPECT_EQ(error_code(), 401);

  // A flipped bit in a signed attribute, FINGERPRINT recomputed so only MI fails.
  auto tampered = make_check({.use_candidate = true});
  tampered[StunMessage::parse(tampered)->find(AttributeType::Priority)->offset] ^= 0x01;
  store_u32(&tampered[tampered.size() - 4],
            stun::crc32(std::span(tampered).first(tampered.size() - 8)) ^ stun::kFingerprintXor);
  EXPECT_EQ(send(tampered, from, t0), Outcome::Rejected);
  EXPECT_EQ(error_code(), 401);

  // A broken FINGERPRINT: not a check for us at all.
  auto broken = make_check({.use_candidate = true});
  broken.back() ^= 0x01;
  response.clear();
  EXPECT_EQ(send(broken, from, t0), Outcome::Ignored);
  EXPECT_TRUE(response.empty());
  EXPECT_FALSE(agent.selected_address());
  EXPECT_FALSE(agent.is_validated_address(from));
}

TEST_F(IceLiteAgentTest, MissingIntegrityOrUsernameIsBadRequest) {
  const auto from = addr("10.0.0.2:5000");
  EXPECT_EQ(check({.use_candidate = true, .integrity = false}, from, t0), Outcome::Rejected);
  EXPECT_EQ(error_code(), 400);
  EXPECT_EQ(check({.use_candidate = true, .username_attr = false}, from, t0), Outcome::Rejected);
  EXPECT_EQ(error_code(), 400);
  EXPECT_FALSE(agent.selected_address());
}

TEST_F(IceLiteAgentTest, RoleConflictWhenPeerClaimsControlled) {
  const auto from = addr("10.0.0.2:5000");
  EXPECT_EQ(check({.use_candidate = true, .controlled = true}, from, t0), Outcome::Rejected);
  EXPECT_EQ(error_code(), 487);
  // Authenticated, so the error carries MESSAGE-INTEGRITY.
  EXPECT_TRUE(StunMessage::parse(response)->verify_message_integrity(stun::short_term_key(kServerPwd)));
  EXPECT_FALSE(agent.selected_address());
}

TEST_F(IceLiteAgentTest, UnknownComprehensionRequiredAttributeIs420) {
  EXPECT_EQ(check({.extra_attribute = 0x7ABC}, addr("10.0.0.2:5000"), t0), Outcome::Rejected);
  EXPECT_EQ(error_code(), 420);
  auto r = StunMessage::parse(response);
  EXPECT_EQ(r->unknown_attributes(), std::vector<uint16_t>{0x7ABC});
  EXPECT_TRUE(r->verify_message_integrity(stun::short_term_key(kServerPwd)));
  // An unknown comprehension-optional one is fine.
  EXPECT_EQ(check({.extra_attribute = 0xC0DE}, addr("10.0.0.2:5000"), t0), Outcome::Responded);
}

TEST_F(IceLiteAgentTest, OnlyBindingRequestsAreChecks) {
  stun::TransactionId id{};
  std::vector<uint8_t> indication;
  StunMessageBuilder(indication, Method::Binding, MessageClass::Indication, id).add_fingerprint();
  std::vector<uint8_t> allocate;
  StunMessageBuilder(allocate, Method::Allocate, MessageClass::Request, id).add_username("srv1:cli1");
  std::vector<uint8_t> success;
  StunMessageBuilder(success, Method::Binding, MessageClass::SuccessResponse, id);
  response = {1, 2, 3};
  for (const auto* msg : {&indication, &allocate, &success}) {
    EXPECT_EQ(send(*msg, addr("10.0.0.2:5000"), t0), Outcome::Ignored);
  }
  EXPECT_EQ(response, (std::vector<uint8_t>{1, 2, 3}));
}

TEST_F(IceLiteAgentTest, CheckWithoutUseCandidateSelectsNothing) {
  const auto from = addr("10.0.0.2:5000");
  EXPECT_EQ(check({}, from, t0), Outcome::Responded);  // ICE-lite still answers
  EXPECT_FALSE(agent.selected_address());
  EXPECT_FALSE(agent.is_connected(t0));
  EXPECT_FALSE(agent.consent_expired(t0 + seconds(100)));
  EXPECT_TRUE(agent.is_validated_address(from));
}

TEST_F(IceLiteAgentTest, RenominationFromNewAddressMovesThePath) {
  const auto before = addr("203.0.113.5:40000");
  const auto after = addr("203.0.113.5:40017");  // the NAT picked a new port
  EXPECT_EQ(check({.use_candidate = true}, before, t0), Outcome::Responded);
  EXPECT_EQ(agent.selected_address(), before);

  // A check without USE-CANDIDATE from elsewhere does not move it.
  EXPECT_EQ(check({}, after, t0 + seconds(1)), Outcome::Responded);
  EXPECT_EQ(agent.selected_address(), before);

  EXPECT_EQ(check({.use_candidate = true}, after, t0 + seconds(2)), Outcome::Responded);
  EXPECT_EQ(agent.selected_address(), after);
  EXPECT_EQ(StunMessage::parse(response)->xor_mapped_address(), after);
  EXPECT_TRUE(agent.is_connected(t0 + seconds(2)));
  EXPECT_TRUE(agent.is_validated_address(before));
  EXPECT_TRUE(agent.is_validated_address(after));
}

TEST_F(IceLiteAgentTest, ConsentExpiresThirtySecondsAfterTheLastCheck) {
  const auto from = addr("10.0.0.2:5000");
  const auto other = addr("10.0.0.3:5000");
  EXPECT_EQ(check({.use_candidate = true}, from, t0), Outcome::Responded);
  EXPECT_TRUE(agent.is_connected(t0 + seconds(29)));
  EXPECT_FALSE(agent.consent_expired(t0 + seconds(29)));

  // A plain (non-nominating) consent check on the selected path renews consent.
  EXPECT_EQ(check({}, from, t0 + seconds(20)), Outcome::Responded);
  // Checks from another address do not.
  EXPECT_EQ(check({}, other, t0 + seconds(45)), Outcome::Responded);
  // Nor do rejected ones.
  EXPECT_EQ(check({.pwd = "wrongPasswordWrongPassw"}, from, t0 + seconds(46)), Outcome::Rejected);

  EXPECT_TRUE(agent.is_connected(t0 + seconds(49)));
  EXPECT_TRUE(agent.consent_expired(t0 + seconds(50)));
  EXPECT_FALSE(agent.is_connected(t0 + seconds(50)));
  EXPECT_EQ(agent.selected_address(), from);  // still known; the owner decides to close

  // A new check brings consent back.
  EXPECT_EQ(check({}, from, t0 + seconds(60)), Outcome::Responded);
  EXPECT_TRUE(agent.is_connected(t0 + seconds(60)));
}

TEST_F(IceLiteAgentTest, ConfigurableConsentTimeout) {
  agent.set_consent_timeout(seconds(5));
  EXPECT_EQ(check({.use_candidate = true}, addr("10.0.0.2:5000"), t0), Outcome::Responded);
  EXPECT_TRUE(agent.is_connected(t0 + milliseconds(4999)));
  EXPECT_TRUE(agent.consent_expired(t0 + seconds(5)));
}

TEST_F(IceLiteAgentTest, IceRestart) {
  const auto from = addr("10.0.0.2:5000");
  EXPECT_EQ(check({.use_candidate = true}, from, t0), Outcome::Responded);

  const std::string new_ufrag = "srv2";
  const std::string new_pwd = "n3wPasswordN3wPassword";
  agent.set_remote_credentials("cli2", "clientPasswordClientPa");
  agent.restart(new_ufrag, new_pwd);
  EXPECT_EQ(agent.local_ufrag(), new_ufrag);
  EXPECT_EQ(agent.local_pwd(), new_pwd);
  EXPECT_EQ(agent.remote_ufrag(), "cli2");
  // The selected path survives the restart.
  EXPECT_EQ(agent.selected_address(), from);
  EXPECT_TRUE(agent.is_connected(t0 + seconds(1)));

  // Until a check on the new credentials, old-generation consent checks are still answered.
  EXPECT_EQ(check({}, from, t0 + seconds(2)), Outcome::Responded);
  EXPECT_TRUE(StunMessage::parse(response)->verify_message_integrity(stun::short_term_key(kServerPwd)));

  // The first check on the new credentials, from a new address, completes the restart.
  const auto new_from = addr("10.0.0.9:6000");
  EXPECT_EQ(
      check({.username = "srv2:cli2", .pwd = new_pwd, .use_candidate = true}, new_from, t0 + seconds(3)),
      Outcome::Responded);
  EXPECT_TRUE(StunMessage::parse(response)->verify_message_integrity(stun::short_term_key(new_pwd)));
  EXPECT_EQ(agent.selected_address(), new_from);

  // Now the old credentials are gone.
  EXPECT_EQ(check({}, from, t0 + seconds(4)), Outcome::Rejected);
  EXPECT_EQ(error_code(), 401);
}

TEST_F(IceLiteAgentTest, ValidatedAddressesAreBounded) {
  const auto selected = addr("10.0.0.1:1000");
  EXPECT_EQ(check({.use_candidate = true}, selected, t0), Outcome::Responded);
  for (int i = 0; i < 20; ++i) {
    auto a = addr("10.0.1.1:" + std::to_string(2000 + i));
    EXPECT_EQ(check({}, a, t0 + seconds(1 + i)), Outcome::Responded);
    EXPECT_TRUE(agent.is_validated_address(a));
  }
  EXPECT_TRUE(agent.is_validated_address(selected));                // never evicted
  EXPECT_FALSE(agent.is_validated_address(addr("10.0.1.1:2000")));  // evicted
  EXPECT_TRUE(agent.is_validated_address(addr("10.0.1.1:2019")));
}

TEST(IceLiteAgent, LocalUfragOf) {
  auto check = make_check({.username = "abcd:efgh"});
  EXPECT_EQ(IceLiteAgent::local_ufrag_of(*StunMessage::parse(check)), "abcd");
  auto no_colon = make_check({.username = "abcdefgh"});
  EXPECT_FALSE(IceLiteAgent::local_ufrag_of(*StunMessage::parse(no_colon)));
  auto no_username = make_check({.username_attr = false});
  EXPECT_FALSE(IceLiteAgent::local_ufrag_of(*StunMessage::parse(no_username)));
}

TEST(IceLiteAgent, CredentialRules) {
  EXPECT_THROW(IceLiteAgent("abc", std::string(kServerPwd)), std::invalid_argument);
  EXPECT_THROW(IceLiteAgent("abcd", "short"), std::invalid_argument);
  EXPECT_THROW(IceLiteAgent("ab:d", std::string(kServerPwd)), std::invalid_argument);
  EXPECT_NO_THROW(IceLiteAgent("ab+/", std::string(kServerPwd)));
  auto a = IceLiteAgent::with_random_credentials();
  auto b = IceLiteAgent::with_random_credentials();
  EXPECT_GE(a.local_ufrag().size(), 4u);
  EXPECT_GE(a.local_pwd().size(), 22u);
  EXPECT_NE(a.local_ufrag(), b.local_ufrag());
  EXPECT_THROW(a.restart("x", "y"), std::invalid_argument);
}

TEST(IceLiteAgent, GarbageNeverCrashes) {
  IceLiteAgent agent{std::string(kServerUfrag), std::string(kServerPwd)};
  std::mt19937 rng(99);
  std::vector<uint8_t> response;
  auto valid = make_check({.use_candidate = true});
  std::vector<uint8_t> buf;
  int parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    buf = valid;
    // Corrupt a few bytes after the header, or truncate with a patched length.
    for (int k = 0; k < 1 + int(rng() % 4); ++k) buf[20 + rng() % (buf.size() - 20)] = uint8_t(rng());
    auto m = StunMessage::parse(buf);
    if (!m) continue;
    ++parsed;
    auto outcome =
        agent.handle_binding_request(*m, addr("10.0.0.2:5000"), TimePoint{} + seconds(round), response);
    if (outcome != Outcome::Ignored) {
      EXPECT_TRUE(StunMessage::parse(response));
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace ct::ice
