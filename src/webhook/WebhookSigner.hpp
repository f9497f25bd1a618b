#pragma once
// The Authorization header of a webhook request: a JWT (RFC 7519) signed
// with HMAC-SHA256 ("HS256", RFC 7518 §3.2) by one of the server's API
// keys, the same scheme as access tokens (docs/tokens.md). Its `sha256`
// claim is the base64 (RFC 4648 §4, padded) SHA-256 of the request body, so
// a receiver that checks the signature and the hash knows the body came from
// this server unchanged. `iss` is the API key; `nbf`/`exp` bound the token
// to a few minutes around the attempt (each retry is signed anew).
#include <chrono>
#include <string>
#include <string_view>

namespace ct::webhook {

class WebhookSigner {
 public:
  static constexpr std::chrono::seconds kValidity{300};

  // Throws std::invalid_argument if the key or the secret is empty.
  WebhookSigner(std::string api_key, std::string secret);

  std::string authorization(std::string_view body, std::chrono::system_clock::time_point now) const;

  // base64(SHA-256(body)), as the `sha256` claim carries it.
  static std::string body_hash(std::string_view body);

  const std::string& api_key() const { return api_key_; }

 private:
  std::string api_key_;
  std::string secret_;
};

}  // namespace ct::webhook
