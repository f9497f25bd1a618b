// The Authorization header as a receiver checks it, with its own code here
// (OpenSSL HMAC and SHA-256, nlohmann-json): an HS256 JWT over the API
// secret whose `sha256` claim is the base64 SHA-256 of the exact body.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "core/Encoding.hpp"
#include "webhook/WebhookSigner.hpp"

namespace ct::webhook {
namespace {

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1)
    parts.push_back(token.substr(start, dot - start));
  parts.push_back(token.substr(start));
  return parts;
}

nlohmann::json decode_part(const std::string& part) {
  auto bytes = base64url_decode(part);
  EXPECT_TRUE(bytes.has_value());
  return nlohmann::json::parse(bytes->begin(), bytes->end());
}

bool signature_matches(const std::string& token, const std::string& secret) {
  auto parts = split(token);
  if (parts.size() != 3) return false;
  const std::string input = parts[0] + "." + parts[1];
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), int(secret.size()), reinterpret_cast<const uint8_t*>(input.data()),
       input.size(), mac, &len);
  return base64url_encode(std::span<const uint8_t>(mac, len)) == parts[2];
}

std::string sha256_base64(const std::string& body) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(body.data()), body.size(), digest);
  return base64_encode(digest);
}

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'765'000'000));

TEST(WebhookSigner, IsAnHs256JwtOfTheKeyWhoseHashClaimMatchesTheBody) {
  WebhookSigner signer("APIkey", "a secret of thirty-two bytes or more!");
  const std::string body = R"({"event":"room_started","id":"EV_1"})";
  const std::string token = signer.authorization(body, kNow);

  auto parts = split(token);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(decode_part(parts[0])["alg"], "HS256");
  auto claims = decode_part(parts[1]);
  EXPECT_EQ(claims["iss"], "APIkey");
  EXPECT_EQ(claims["sha256"], sha256_base64(body));
  EXPECT_EQ(claims["sha256"], WebhookSigner::body_hash(body));
  EXPECT_EQ(claims["nbf"].get<int64_t>(), 1'765'000'000);
  EXPECT_EQ(claims["exp"].get<int64_t>(), 1'765'000'300);
  EXPECT_TRUE(signature_matches(token, "a secret of thirty-two bytes or more!"));
  EXPECT_FALSE(signature_matches(token, "another secret"));
}

TEST(WebhookSigner, AnotherBodyGivesAnotherHash) {
  WebhookSigner signer("k", "s");
  auto claims_of = [&](const std::string& body) {
    return decode_part(split(signer.authorization(body, kNow))[1]);
  };
  EXPECT_NE(claims_of("{}")["sha256"], claims_of("{} ")["sha256"]);
  // The SHA-256 of nothing, a published value (FIPS 180-2 test, base64).
  EXPECT_EQ(claims_of("")["sha256"], "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(WebhookSigner, RefusesAnEmptyKeyOrSecret) {
  EXPECT_THROW(WebhookSigner("", "s"), std::invalid_argument);
  EXPECT_THROW(WebhookSigner("k", ""), std::invalid_argument);
}

}  // namespace
}  // namespace ct::webhook
