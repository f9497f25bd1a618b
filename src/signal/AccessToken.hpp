#pragma once
// Access tokens (DESIGN.md §4): a JWT (RFC 7519) signed with HMAC-SHA256
// (JWS, RFC 7515; "HS256", RFC 7518 §3.2) by an application backend that holds
// an API key and its secret. The token names the participant (`sub`), the key
// (`iss`), its validity window (`nbf`, `exp`) and what the bearer may do in
// one room (`grants`). docs/tokens.md describes the wire format.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ct::signal {

struct VideoGrants {
  std::string room;
  bool room_join = false;
  // Absent from a token, these three default to the value of room_join.
  bool can_publish = true;
  bool can_subscribe = true;
  bool can_publish_data = true;
  bool room_admin = false;
  bool room_record = false;
  bool hidden = false;  // a participant the others are not told about (recorders)
  // Server-wide (as LiveKit's): list every room, create and delete rooms.
  // They ignore `room`.
  bool room_list = false;
  bool room_create = false;

  bool operator==(const VideoGrants&) const = default;
};

struct AccessTokenClaims {
  std::string api_key;   // `iss`
  std::string identity;  // `sub`
  std::string name;      // display name; empty: not written
  std::string metadata;  // opaque application data; empty: not written
  VideoGrants grants;
  // Unset (the epoch): the signer writes no `nbf` and takes `iat` as the time of signing.
  std::chrono::system_clock::time_point not_before{};
  std::chrono::system_clock::time_point issued_at{};
  std::chrono::system_clock::time_point expires{};  // required

  bool operator==(const AccessTokenClaims&) const = default;
};

enum class TokenError {
  Malformed,        // not three base64url parts of JSON objects, a claim of the wrong type, no `exp`, too large
  BadSignature,     // the HMAC does not match: forged, corrupted or signed with another secret
  WrongAlgorithm,   // header `alg` is anything but HS256 (none, HS384, RS256, ...)
  UnknownKey,       // `iss` missing or not one of our API keys
  Expired,          // now >= exp + leeway
  NotYetValid,      // now < nbf - leeway
  MissingIdentity,  // roomJoin granted but `sub` missing or empty
  MissingGrants,    // no `grants` object, or roomJoin without a room
};

// Stable lower_snake codes sent to clients in signaling errors ("token_expired").
std::string_view to_string(TokenError error);

// Claims or the reason a token was refused. C++20 has no std::expected.
class TokenResult {
 public:
  TokenResult(AccessTokenClaims claims) : state_(std::in_place_index<0>, std::move(claims)) {}
  TokenResult(TokenError error) : state_(std::in_place_index<1>, error) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  // Only valid when ok().
  const AccessTokenClaims& value() const& { return std::get<0>(state_); }
  AccessTokenClaims&& value() && { return std::get<0>(std::move(state_)); }
  const AccessTokenClaims* operator->() const { return &value(); }
  const AccessTokenClaims& operator*() const& { return value(); }
  // Only valid when !ok().
  TokenError error() const { return std::get<1>(state_); }

 private:
  std::variant<AccessTokenClaims, TokenError> state_;
};

// Mints tokens for one API key. Used by `ciphertalk token create` and tests;
// an application backend may use any JWT library instead (docs/tokens.md).
class AccessTokenSigner {
 public:
  // Throws std::invalid_argument if the key or the secret is empty.
  AccessTokenSigner(std::string api_key, std::string secret);

  // `claims.api_key` is ignored: the token is issued by this signer's key.
  // Throws std::invalid_argument if claims.expires is unset, std::runtime_error
  // if the JWT library fails.
  std::string sign(const AccessTokenClaims& claims) const;

  const std::string& api_key() const { return api_key_; }

 private:
  std::string api_key_;
  std::string secret_;
};

// Checks tokens against a set of API keys. Immutable after construction, so
// one verifier may be shared by every signaling thread.
class AccessTokenVerifier {
 public:
  // Larger tokens are Malformed before any decoding.
  static constexpr size_t kMaxTokenBytes = 16 * 1024;
  // Secrets shorter than this draw a warning (once per process): RFC 7518
  // §3.2 asks for a key at least as long as the hash output.
  static constexpr size_t kRecommendedSecretBytes = 32;

  // `keys` maps API key -> secret. Throws std::invalid_argument on an empty secret.
  explicit AccessTokenVerifier(std::map<std::string, std::string> keys,
                               std::chrono::seconds leeway = std::chrono::seconds(10));

  TokenResult verify(std::string_view token, std::chrono::system_clock::time_point now) const;

 private:
  std::map<std::string, std::string, std::less<>> keys_;
  std::chrono::seconds leeway_;
};

}  // namespace ct::signal
