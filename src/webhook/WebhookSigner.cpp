#include "webhook/WebhookSigner.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>

#include "core/Encoding.hpp"

namespace ct::webhook {
namespace {

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string base64url_of(std::string_view s) { return base64url_encode(bytes_of(s)); }

int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

WebhookSigner::WebhookSigner(std::string api_key, std::string secret)
    : api_key_(std::move(api_key)), secret_(std::move(secret)) {
  if (api_key_.empty() || secret_.empty())
    throw std::invalid_argument("webhook signing needs an API key and secret");
}

std::string WebhookSigner::body_hash(std::string_view body) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(bytes_of(body).data(), body.size(), digest);
  return base64_encode(digest);
}

std::string WebhookSigner::authorization(std::string_view body,
                                         std::chrono::system_clock::time_point now) const {
  // RFC 7515 §7.1 compact serialization: base64url(header) "." base64url(claims) "." base64url(HMAC).
  const nlohmann::json claims{{"iss", api_key_},
                              {"nbf", unix_seconds(now)},
                              {"exp", unix_seconds(now + kValidity)},
                              {"sha256", body_hash(body)}};
  std::string token = base64url_of(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_of(claims.dump());
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha256(), secret_.data(), int(secret_.size()), bytes_of(token).data(), token.size(), mac,
            &mac_len))
    throw std::runtime_error("HMAC-SHA256 failed");
  return token + "." + base64url_encode(std::span<const uint8_t>(mac, mac_len));
}

}  // namespace ct::webhook
