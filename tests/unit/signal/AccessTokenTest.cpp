#include "signal/AccessToken.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ct::signal;
using std::chrono::seconds;
using SysTime = std::chrono::system_clock::time_point;
using Json = nlohmann::json;

namespace {

const SysTime kNow{seconds(1'700'000'000)};
const std::string kKey = "APIkey1";
const std::string kSecret = "0123456789abcdef0123456789abcdef-secret";

// Test-side JWS pieces built straight on OpenSSL, independent of libjwt and of
// the encoder the verifier uses.
std::string b64url(const std::string& bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()));
  std::string s(reinterpret_cast<char*>(out.data()), size_t(n));
  std::replace(s.begin(), s.end(), '+', '-');
  std::replace(s.begin(), s.end(), '/', '_');
  s.erase(std::remove(s.begin(), s.end(), '='), s.end());
  return s;
}

std::string hmac(const EVP_MD* md, const std::string& secret, const std::string& input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, secret.data(), int(secret.size()), reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
       &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string hand_token(const std::string& header, const std::string& payload, const std::string& secret,
                       const EVP_MD* md = EVP_sha256()) {
  std::string input = b64url(header) + "." + b64url(payload);
  return input + "." + b64url(hmac(md, secret, input));
}

Json valid_payload() {
  return Json{{"iss", kKey},
              {"sub", "alice"},
              {"iat", 1'700'000'000},
              {"nbf", 1'700'000'000},
              {"exp", 1'700'000'600},
              {"grants", {{"room", "standup"}, {"roomJoin", true}}}};
}

const std::string kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

AccessTokenVerifier verifier(seconds leeway = seconds(10)) {
  return AccessTokenVerifier({{kKey, kSecret}, {"other", "another-secret-of-at-least-32-bytes!!"}}, leeway);
}

TokenError error_of(const TokenResult& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? TokenError::Malformed : r.error();
}

AccessTokenClaims full_claims() {
  AccessTokenClaims c;
  c.identity = "alice";
  c.name = "Alice Liddell";
  c.metadata = R"({"avatar":"https://example.com/a.png","ünïcode":true})";
  c.grants.room = "standup";
  c.grants.room_join = true;
  c.grants.can_publish = false;
  c.grants.can_subscribe = true;
  c.grants.can_publish_data = false;
  c.grants.room_admin = true;
  c.grants.room_record = true;
  c.grants.hidden = true;
  c.grants.room_list = true;
  c.grants.room_create = true;
  c.issued_at = kNow;
  c.not_before = kNow;
  c.expires = kNow + seconds(600);
  return c;
}

}  // namespace

TEST(AccessToken, RoundTripWithAllGrants) {
  AccessTokenSigner signer(kKey, kSecret);
  AccessTokenClaims claims = full_claims();
  std::string token = signer.sign(claims);
  auto result = verifier().verify(token, kNow + seconds(30));
  ASSERT_TRUE(result.ok()) << to_string(result.error());
  claims.api_key = kKey;
  EXPECT_EQ(*result, claims);
}

TEST(AccessToken, SignerOutputIsPlainHs256Jws) {
  // What libjwt writes must be exactly what an independent HMAC computes.
  std::string token = AccessTokenSigner(kKey, kSecret).sign(full_claims());
  size_t dot2 = token.rfind('.');
  ASSERT_NE(dot2, std::string::npos);
  EXPECT_EQ(token.substr(dot2 + 1), b64url(hmac(EVP_sha256(), kSecret, token.substr(0, dot2))));
  // Header names HS256; payload carries the documented claim names.
  size_t dot1 = token.find('.');
  auto decode = [](std::string_view part) {
    std::string s(part);
    std::replace(s.begin(), s.end(), '-', '+');
    std::replace(s.begin(), s.end(), '_', '/');
    while (s.size() % 4) s += '=';
    std::vector<unsigned char> out(s.size());
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()), int(s.size()));
    size_t pad = size_t(std::count(s.end() - 2, s.end(), '='));
    return Json::parse(std::string(reinterpret_cast<char*>(out.data()), size_t(n) - pad));
  };
  Json header = decode(std::string_view(token).substr(0, dot1));
  EXPECT_EQ(header["alg"], "HS256");
  Json payload = decode(std::string_view(token).substr(dot1 + 1, dot2 - dot1 - 1));
  EXPECT_EQ(payload["iss"], kKey);
  EXPECT_EQ(payload["sub"], "alice");
  EXPECT_EQ(payload["name"], "Alice Liddell");
  EXPECT_EQ(payload["nbf"], 1'700'000'000);
  EXPECT_EQ(payload["iat"], 1'700'000'000);
  EXPECT_EQ(payload["exp"], 1'700'000'600);
  EXPECT_EQ(payload["grants"]["room"], "standup");
  EXPECT_EQ(payload["grants"]["roomJoin"], true);
  EXPECT_EQ(payload["grants"]["canPublish"], false);
  EXPECT_EQ(payload["grants"]["roomRecord"], true);
  EXPECT_EQ(payload["grants"]["roomList"], true);
  EXPECT_EQ(payload["grants"]["roomCreate"], true);
}

TEST(AccessToken, TokenFromAnotherImplementationVerifies) {
  std::string token = hand_token(kHs256Header, valid_payload().dump(), kSecret);
  auto result = verifier().verify(token, kNow);
  ASSERT_TRUE(result.ok()) << to_string(result.error());
  EXPECT_EQ(result->api_key, kKey);
  EXPECT_EQ(result->identity, "alice");
  EXPECT_EQ(result->grants.room, "standup");
  EXPECT_TRUE(result->grants.room_join);
  // Defaults when only roomJoin is given.
  EXPECT_TRUE(result->grants.can_publish);
  EXPECT_TRUE(result->grants.can_subscribe);
  EXPECT_TRUE(result->grants.can_publish_data);
  EXPECT_FALSE(result->grants.room_admin);
  EXPECT_FALSE(result->grants.room_record);
  EXPECT_FALSE(result->grants.hidden);
  EXPECT_FALSE(result->grants.room_list);
  EXPECT_FALSE(result->grants.room_create);
  EXPECT_EQ(result->expires, SysTime(seconds(1'700'000'600)));
  EXPECT_EQ(result->not_before, SysTime(seconds(1'700'000'000)));
}

TEST(AccessToken, ServerWideGrantsNeedNoRoom) {
  Json p = valid_payload();
  p["grants"] = {{"roomList", true}, {"roomCreate", true}};
  auto result = verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow);
  ASSERT_TRUE(result.ok()) << to_string(result.error());
  EXPECT_TRUE(result->grants.room_list);
  EXPECT_TRUE(result->grants.room_create);
  EXPECT_FALSE(result->grants.room_join);
  EXPECT_TRUE(result->grants.room.empty());
  // Of the wrong type, the token is refused rather than read as false.
  p["grants"] = {{"roomList", "yes"}};
  EXPECT_EQ(verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow).error(), TokenError::Malformed);
}

TEST(AccessToken, MediaGrantsDefaultToFalseWithoutJoin) {
  Json p = valid_payload();
  p["grants"] = {{"room", "standup"}, {"roomAdmin", true}};
  auto result = verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->grants.room_join);
  EXPECT_FALSE(result->grants.can_publish);
  EXPECT_FALSE(result->grants.can_subscribe);
  EXPECT_FALSE(result->grants.can_publish_data);
  EXPECT_TRUE(result->grants.room_admin);
}

TEST(AccessToken, ExpiredWithLeeway) {
  std::string token = hand_token(kHs256Header, valid_payload().dump(), kSecret);
  SysTime exp{seconds(1'700'000'600)};
  auto v = verifier(seconds(10));
  EXPECT_TRUE(v.verify(token, exp - seconds(1)).ok());
  EXPECT_TRUE(v.verify(token, exp + seconds(9)).ok());  // within leeway
  EXPECT_EQ(error_of(v.verify(token, exp + seconds(10))), TokenError::Expired);
  EXPECT_EQ(error_of(v.verify(token, exp + seconds(3600))), TokenError::Expired);
  auto strict = verifier(seconds(0));
  EXPECT_TRUE(strict.verify(token, exp - std::chrono::milliseconds(1)).ok());
  EXPECT_EQ(error_of(strict.verify(token, exp)), TokenError::Expired);
}

TEST(AccessToken, NotYetValidWithLeeway) {
  std::string token = hand_token(kHs256Header, valid_payload().dump(), kSecret);
  SysTime nbf{seconds(1'700'000'000)};
  auto v = verifier(seconds(10));
  EXPECT_TRUE(v.verify(token, nbf - seconds(10)).ok());  // within leeway
  EXPECT_EQ(error_of(v.verify(token, nbf - seconds(11))), TokenError::NotYetValid);
  auto strict = verifier(seconds(0));
  EXPECT_TRUE(strict.verify(token, nbf).ok());
  EXPECT_EQ(error_of(strict.verify(token, nbf - std::chrono::milliseconds(1))), TokenError::NotYetValid);
}

TEST(AccessToken, ForgedSignatureIsRefused) {
  std::string token = AccessTokenSigner(kKey, kSecret).sign(full_claims());
  ASSERT_TRUE(verifier().verify(token, kNow).ok());

  std::string flipped = token;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(verifier().verify(flipped, kNow)), TokenError::BadSignature);

  std::string truncated = token.substr(0, token.size() - 1);
  EXPECT_EQ(error_of(verifier().verify(truncated, kNow)), TokenError::BadSignature);

  // Same claims, another secret.
  std::string other = AccessTokenSigner(kKey, "not-the-right-secret-but-long-enough").sign(full_claims());
  EXPECT_EQ(error_of(verifier().verify(other, kNow)), TokenError::BadSignature);

  // Payload swapped for one granting more, signature kept.
  Json p = valid_payload();
  p["grants"]["roomAdmin"] = true;
  std::string honest = hand_token(kHs256Header, valid_payload().dump(), kSecret);
  std::string tampered = b64url(kHs256Header) + "." + b64url(p.dump()) + honest.substr(honest.rfind('.'));
  EXPECT_EQ(error_of(verifier().verify(tampered, kNow)), TokenError::BadSignature);

  // Signed by a known key's secret but claiming another known key.
  Json q = valid_payload();
  q["iss"] = "other";
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, q.dump(), kSecret), kNow)),
            TokenError::BadSignature);
}

TEST(AccessToken, PaddedSignatureIsRefused) {
  // Same bytes, non-canonical text: refused (only the exact encoding matches).
  std::string token = hand_token(kHs256Header, valid_payload().dump(), kSecret);
  EXPECT_EQ(error_of(verifier().verify(token + "=", kNow)), TokenError::BadSignature);
}

TEST(AccessToken, AlgNoneIsRefused) {
  std::string payload = b64url(valid_payload().dump());
  std::string none = b64url(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".";
  EXPECT_EQ(error_of(verifier().verify(none, kNow)), TokenError::WrongAlgorithm);
  // Even carrying a valid HS256 signature.
  EXPECT_EQ(error_of(verifier().verify(hand_token(R"({"alg":"none"})", valid_payload().dump(), kSecret), kNow)),
            TokenError::WrongAlgorithm);
  EXPECT_EQ(error_of(verifier().verify(hand_token(R"({"alg":"None"})", valid_payload().dump(), kSecret), kNow)),
            TokenError::WrongAlgorithm);
}

TEST(AccessToken, OtherAlgorithmsAreRefused) {
  std::string p = valid_payload().dump();
  // HS384 with the right secret: a real, valid HS384 token, still refused.
  EXPECT_EQ(error_of(verifier().verify(hand_token(R"({"alg":"HS384","typ":"JWT"})", p, kSecret, EVP_sha384()), kNow)),
            TokenError::WrongAlgorithm);
  EXPECT_EQ(error_of(verifier().verify(hand_token(R"({"alg":"HS512"})", p, kSecret, EVP_sha512()), kNow)),
            TokenError::WrongAlgorithm);
  // RS256 whose "signature" is an HMAC keyed with the secret (key confusion).
  EXPECT_EQ(error_of(verifier().verify(hand_token(R"({"alg":"RS256","typ":"JWT"})", p, kSecret), kNow)),
            TokenError::WrongAlgorithm);
  EXPECT_EQ(error_of(verifier().verify(hand_token(R"({"alg":"hs256"})", p, kSecret), kNow)),
            TokenError::WrongAlgorithm);
  EXPECT_EQ(error_of(verifier().verify(hand_token(R"({"typ":"JWT"})", p, kSecret), kNow)),
            TokenError::WrongAlgorithm);
  EXPECT_EQ(error_of(verifier().verify(hand_token(R"({"alg":256})", p, kSecret), kNow)),
            TokenError::WrongAlgorithm);
}

TEST(AccessToken, UnknownOrMissingIssuer) {
  Json p = valid_payload();
  p["iss"] = "stranger";
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow)), TokenError::UnknownKey);
  p.erase("iss");
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow)), TokenError::UnknownKey);
  p["iss"] = 42;
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow)), TokenError::Malformed);
}

TEST(AccessToken, JoinNeedsIdentityAndRoom) {
  Json p = valid_payload();
  p.erase("sub");
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow)),
            TokenError::MissingIdentity);
  p["sub"] = "";
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow)),
            TokenError::MissingIdentity);

  Json q = valid_payload();
  q.erase("grants");
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, q.dump(), kSecret), kNow)),
            TokenError::MissingGrants);
  q["grants"] = "all";
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, q.dump(), kSecret), kNow)),
            TokenError::MissingGrants);
  q["grants"] = {{"roomJoin", true}};  // join, but which room?
  EXPECT_EQ(error_of(verifier().verify(hand_token(kHs256Header, q.dump(), kSecret), kNow)),
            TokenError::MissingGrants);
}

TEST(AccessToken, MalformedInputs) {
  auto v = verifier();
  std::string p = b64url(valid_payload().dump());
  std::string h = b64url(kHs256Header);
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("abc"),
                          std::string("a.b"), h + "." + p, h + "." + p + ".sig.extra", "." + p + ".sig",
                          h + "..sig", h + "!." + p + ".sig", h + "." + p + "=.sig", std::string("\0.\0.\0", 5)}) {
    auto r = v.verify(bad, kNow);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error(), TokenError::Malformed) << bad;
    }
  }
  // Header or payload that is not a JSON object.
  EXPECT_EQ(error_of(v.verify(hand_token("{\"alg\":\"HS256\"", valid_payload().dump(), kSecret), kNow)),
            TokenError::Malformed);
  EXPECT_EQ(error_of(v.verify(hand_token("[\"HS256\"]", valid_payload().dump(), kSecret), kNow)),
            TokenError::Malformed);
  EXPECT_EQ(error_of(v.verify(hand_token(kHs256Header, "{\"iss\":", kSecret), kNow)), TokenError::Malformed);
  EXPECT_EQ(error_of(v.verify(hand_token(kHs256Header, "\"just a string\"", kSecret), kNow)), TokenError::Malformed);
  EXPECT_EQ(error_of(v.verify(hand_token(kHs256Header, std::string("\xff\xfe{}", 4), kSecret), kNow)),
            TokenError::Malformed);
  // Critical header extensions we do not know.
  EXPECT_EQ(error_of(v.verify(hand_token(R"({"alg":"HS256","crit":["exp"]})", valid_payload().dump(), kSecret), kNow)),
            TokenError::Malformed);
  // Huge input is refused before decoding.
  std::string huge(AccessTokenVerifier::kMaxTokenBytes + 1, 'A');
  EXPECT_EQ(error_of(v.verify(huge, kNow)), TokenError::Malformed);
  Json big = valid_payload();
  big["metadata"] = std::string(AccessTokenVerifier::kMaxTokenBytes, 'x');
  EXPECT_EQ(error_of(v.verify(hand_token(kHs256Header, big.dump(), kSecret), kNow)), TokenError::Malformed);
}

TEST(AccessToken, MalformedClaimsAfterSignature) {
  auto check = [](auto mutate) {
    Json p = valid_payload();
    mutate(p);
    return error_of(verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow));
  };
  EXPECT_EQ(check([](Json& p) { p.erase("exp"); }), TokenError::Malformed);
  EXPECT_EQ(check([](Json& p) { p["exp"] = "tomorrow"; }), TokenError::Malformed);
  EXPECT_EQ(check([](Json& p) { p["nbf"] = true; }), TokenError::Malformed);
  EXPECT_EQ(check([](Json& p) { p["sub"] = 7; }), TokenError::Malformed);
  EXPECT_EQ(check([](Json& p) { p["name"] = Json::array(); }), TokenError::Malformed);
  EXPECT_EQ(check([](Json& p) { p["grants"]["roomJoin"] = "yes"; }), TokenError::Malformed);
  EXPECT_EQ(check([](Json& p) { p["grants"]["canPublish"] = 1; }), TokenError::Malformed);
  EXPECT_EQ(check([](Json& p) { p["grants"]["room"] = 5; }), TokenError::Malformed);
}

TEST(AccessToken, ExtremeAndFractionalTimes) {
  auto verify_with = [](Json exp, Json nbf) {
    Json p = valid_payload();
    p["exp"] = exp;
    p["nbf"] = nbf;
    return verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow);
  };
  auto far = verify_with(1e300, -1e300);
  ASSERT_TRUE(far.ok());
  EXPECT_GT(far->expires, kNow);
  EXPECT_TRUE(verify_with(uint64_t(-1), INT64_MIN).ok());
  EXPECT_EQ(error_of(verify_with(INT64_MIN, 0)), TokenError::Expired);
  EXPECT_EQ(error_of(verify_with(1'700'000'000 + 600, INT64_MAX)), TokenError::NotYetValid);
  EXPECT_TRUE(verify_with(1'700'000'000.5, 1'699'999'999.5).ok());
  EXPECT_EQ(error_of(verify_with(1'699'999'989.9, 0)), TokenError::Expired);  // floor + 10 s leeway
  // Unknown claims and grants are ignored (forward compatibility).
  Json p = valid_payload();
  p["jti"] = "x";
  p["grants"]["canUpdateOwnMetadata"] = true;
  EXPECT_TRUE(verifier().verify(hand_token(kHs256Header, p.dump(), kSecret), kNow).ok());
}

TEST(AccessToken, SignerAndVerifierPreconditions) {
  EXPECT_THROW(AccessTokenSigner("", kSecret), std::invalid_argument);
  EXPECT_THROW(AccessTokenSigner(kKey, ""), std::invalid_argument);
  AccessTokenClaims no_expiry = full_claims();
  no_expiry.expires = {};
  EXPECT_THROW(AccessTokenSigner(kKey, kSecret).sign(no_expiry), std::invalid_argument);
  EXPECT_THROW(AccessTokenVerifier(std::map<std::string, std::string>{{"k", ""}}), std::invalid_argument);

  // A short development secret still signs and verifies (with a warning).
  AccessTokenSigner dev("devkey", "devsecret");
  AccessTokenVerifier dev_verifier(std::map<std::string, std::string>{{"devkey", "devsecret"}});
  auto r = dev_verifier.verify(dev.sign(full_claims()), kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->api_key, "devkey");
}

TEST(AccessToken, ErrorCodesAreStable) {
  EXPECT_EQ(to_string(TokenError::Malformed), "token_malformed");
  EXPECT_EQ(to_string(TokenError::BadSignature), "token_bad_signature");
  EXPECT_EQ(to_string(TokenError::WrongAlgorithm), "token_wrong_algorithm");
  EXPECT_EQ(to_string(TokenError::UnknownKey), "token_unknown_key");
  EXPECT_EQ(to_string(TokenError::Expired), "token_expired");
  EXPECT_EQ(to_string(TokenError::NotYetValid), "token_not_yet_valid");
  EXPECT_EQ(to_string(TokenError::MissingIdentity), "token_missing_identity");
  EXPECT_EQ(to_string(TokenError::MissingGrants), "token_missing_grants");
}
