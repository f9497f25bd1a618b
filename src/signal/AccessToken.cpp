#include "signal/AccessToken.hpp"

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "core/Encoding.hpp"
#include "core/Log.hpp"

// Who does what, and why.
//
// Minting goes through libjwt (jwt_set_alg HS256 + jwt_encode_str): building
// and signing a token from our own claims is what it does safely.
//
// Verification is ours, on OpenSSL HMAC and nlohmann-json, because libjwt
// 1.10's jwt_decode() does not fit a multi-key server that pins HS256:
//  - it takes the key before it has read the token, and trusts the header's
//    `alg` to pick the hash, so HS384/HS512 tokens made with the same secret
//    pass; we need `iss` (inside the payload) to choose the secret and must
//    refuse every algorithm but HS256 before any key is used;
//  - upstream 1.10.2 compares the HMAC with strcmp() (CVE-2024-25189); only
//    distribution-patched builds compare in constant time, and the server
//    must not depend on which build it was linked against.
// So: split the three parts, read the header and refuse anything but
// "HS256", read `iss` to find the secret, then compare the base64url of
// HMAC-SHA256(secret, "header.payload") with the token's signature part using
// CRYPTO_memcmp (constant time over the fixed 43-byte length). Comparing the
// canonical encoding also refuses padded or non-canonical signature text.
// No claim is believed before that comparison succeeds.

namespace ct::signal {

namespace {

using Json = nlohmann::json;

// NumericDate seconds beyond this would overflow system_clock's nanosecond
// count (about year 2262); 9e9 s is year 2255.
constexpr int64_t kMaxSeconds = 9'000'000'000;

int64_t to_unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_unix_seconds(int64_t s) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}

// RFC 7519 §2 NumericDate: a JSON number of seconds, possibly fractional
// (floored here). Clamped so later arithmetic cannot overflow.
std::optional<int64_t> numeric_date(const Json& v) {
  if (v.is_number_unsigned()) return int64_t(std::min<uint64_t>(v.get<uint64_t>(), kMaxSeconds));
  if (v.is_number_integer()) return std::clamp<int64_t>(v.get<int64_t>(), -kMaxSeconds, kMaxSeconds);
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d)) return std::nullopt;
    return int64_t(std::clamp(std::floor(d), double(-kMaxSeconds), double(kMaxSeconds)));
  }
  return std::nullopt;
}

// RFC 7515 §2: base64url without padding. Refusing everything else here
// keeps the lenient shared decoder from accepting '=' or stray characters.
bool is_base64url_text(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::optional<Json> decode_json_object(std::string_view segment) {
  if (!is_base64url_text(segment)) return std::nullopt;
  auto bytes = base64url_decode(segment);
  if (!bytes) return std::nullopt;
  Json j = Json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;  // also the "discarded" value of a parse error
  return j;
}

// RFC 7518 §3.2: HMAC-SHA256 over the ASCII of "header.payload" (RFC 7515 §5.1).
std::string hs256_signature_text(std::string_view secret, std::string_view signing_input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), int(secret.size()),
            reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_len)) {
    return {};
  }
  return base64url_encode(std::span<const uint8_t>(mac, mac_len));
}

// An optional string member; nullopt if present with another type.
std::optional<std::string> optional_string(const Json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// An optional boolean member: `fallback` when absent; false if present with
// another type (the caller then refuses the token).
bool read_bool(const Json& object, const char* name, bool fallback, bool& out) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    out = fallback;
    return true;
  }
  if (!it->is_boolean()) return false;
  out = it->get<bool>();
  return true;
}

Json grants_to_json(const VideoGrants& g) {
  Json j = Json::object();
  if (!g.room.empty()) j["room"] = g.room;
  // Every flag is written, so no verifier has to know our defaults.
  j["roomJoin"] = g.room_join;
  j["canPublish"] = g.can_publish;
  j["canSubscribe"] = g.can_subscribe;
  j["canPublishData"] = g.can_publish_data;
  j["roomAdmin"] = g.room_admin;
  j["roomRecord"] = g.room_record;
  j["hidden"] = g.hidden;
  j["roomList"] = g.room_list;
  j["roomCreate"] = g.room_create;
  return j;
}

std::optional<VideoGrants> grants_from_json(const Json& j) {
  VideoGrants g;
  auto room = optional_string(j, "room");
  if (!room) return std::nullopt;
  g.room = std::move(*room);
  if (!read_bool(j, "roomJoin", false, g.room_join)) return std::nullopt;
  // Defaults: a participant who may join may publish, subscribe and send data
  // unless the token says otherwise.
  if (!read_bool(j, "canPublish", g.room_join, g.can_publish)) return std::nullopt;
  if (!read_bool(j, "canSubscribe", g.room_join, g.can_subscribe)) return std::nullopt;
  if (!read_bool(j, "canPublishData", g.room_join, g.can_publish_data)) return std::nullopt;
  if (!read_bool(j, "roomAdmin", false, g.room_admin)) return std::nullopt;
  if (!read_bool(j, "roomRecord", false, g.room_record)) return std::nullopt;
  if (!read_bool(j, "hidden", false, g.hidden)) return std::nullopt;
  if (!read_bool(j, "roomList", false, g.room_list)) return std::nullopt;
  if (!read_bool(j, "roomCreate", false, g.room_create)) return std::nullopt;
  return g;
}

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
struct MallocDeleter {
  void operator()(char* p) const { std::free(p); }
};

}  // namespace

std::string_view to_string(TokenError error) {
  switch (error) {
    case TokenError::Malformed: return "token_malformed";
    case TokenError::BadSignature: return "token_bad_signature";
    case TokenError::WrongAlgorithm: return "token_wrong_algorithm";
    case TokenError::UnknownKey: return "token_unknown_key";
    case TokenError::Expired: return "token_expired";
    case TokenError::NotYetValid: return "token_not_yet_valid";
    case TokenError::MissingIdentity: return "token_missing_identity";
    case TokenError::MissingGrants: return "token_missing_grants";
  }
  return "token_invalid";
}

// ---------------------------------------------------------------------------
// Signer

AccessTokenSigner::AccessTokenSigner(std::string api_key, std::string secret)
    : api_key_(std::move(api_key)), secret_(std::move(secret)) {
  if (api_key_.empty()) throw std::invalid_argument("access token signer: empty API key");
  if (secret_.empty()) throw std::invalid_argument("access token signer: empty API secret");
}

std::string AccessTokenSigner::sign(const AccessTokenClaims& claims) const {
  using TimePoint = std::chrono::system_clock::time_point;
  if (claims.expires == TimePoint{}) throw std::invalid_argument("access token: no expiry");

  Json payload = Json::object();
  payload["iss"] = api_key_;
  if (!claims.identity.empty()) payload["sub"] = claims.identity;
  if (!claims.name.empty()) payload["name"] = claims.name;
  if (!claims.metadata.empty()) payload["metadata"] = claims.metadata;
  TimePoint issued = claims.issued_at != TimePoint{} ? claims.issued_at : std::chrono::system_clock::now();
  payload["iat"] = to_unix_seconds(issued);
  if (claims.not_before != TimePoint{}) payload["nbf"] = to_unix_seconds(claims.not_before);
  payload["exp"] = to_unix_seconds(claims.expires);
  payload["grants"] = grants_to_json(claims.grants);
  // Invalid UTF-8 in a name or metadata becomes U+FFFD rather than an exception.
  std::string payload_text = payload.dump(-1, ' ', false, Json::error_handler_t::replace);

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0 || raw == nullptr) throw std::runtime_error("access token: jwt_new failed");
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
                  int(secret_.size())) != 0) {
    throw std::runtime_error("access token: jwt_set_alg failed");
  }
  if (jwt_add_grants_json(jwt.get(), payload_text.c_str()) != 0) {
    throw std::runtime_error("access token: claims rejected by the JWT library");
  }
  std::unique_ptr<char, MallocDeleter> text(jwt_encode_str(jwt.get()));
  if (!text) throw std::runtime_error("access token: jwt_encode_str failed");
  return std::string(text.get());
}

// ---------------------------------------------------------------------------
// Verifier

AccessTokenVerifier::AccessTokenVerifier(std::map<std::string, std::string> keys, std::chrono::seconds leeway)
    : keys_(keys.begin(), keys.end()),
      leeway_(std::clamp<std::chrono::seconds>(leeway, std::chrono::seconds(0), std::chrono::seconds(kMaxSeconds))) {
  static std::atomic<bool> warned_short_secret{false};
  for (const auto& [key, secret] : keys_) {
    if (secret.empty()) throw std::invalid_argument("API key '" + key + "' has an empty secret");
    if (secret.size() < kRecommendedSecretBytes && !warned_short_secret.exchange(true)) {
      spdlog::warn("API key '{}' has a {}-byte secret; use at least {} random bytes outside development", key,
                   secret.size(), kRecommendedSecretBytes);
    }
  }
}

TokenResult AccessTokenVerifier::verify(std::string_view token, std::chrono::system_clock::time_point now) const {
  if (token.size() > kMaxTokenBytes) return TokenError::Malformed;

  // RFC 7515 §7.1 compact serialization: exactly three parts.
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return TokenError::Malformed;
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return TokenError::Malformed;
  }
  std::string_view header_text = token.substr(0, dot1);
  std::string_view payload_text = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_text = token.substr(dot2 + 1);

  // The algorithm is pinned: the header may only confirm it (RFC 8725 §3.1).
  auto header = decode_json_object(header_text);
  if (!header) return TokenError::Malformed;
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256") {
    return TokenError::WrongAlgorithm;
  }
  // RFC 7515 §4.1.11: extensions we do not understand must be refused.
  if (header->contains("crit")) return TokenError::Malformed;

  auto payload = decode_json_object(payload_text);
  if (!payload) return TokenError::Malformed;
  auto iss = payload->find("iss");
  if (iss == payload->end() || iss->is_null()) return TokenError::UnknownKey;
  if (!iss->is_string()) return TokenError::Malformed;
  auto key = keys_.find(iss->get_ref<const std::string&>());
  if (key == keys_.end()) return TokenError::UnknownKey;

  std::string expected = hs256_signature_text(key->second, token.substr(0, dot2));
  if (expected.empty() || signature_text.size() != expected.size() ||
      CRYPTO_memcmp(signature_text.data(), expected.data(), expected.size()) != 0) {
    return TokenError::BadSignature;
  }

  // Authentic from here on. RFC 7519 §4.1.4/§4.1.5, with leeway for clock skew.
  auto exp_member = payload->find("exp");
  if (exp_member == payload->end()) return TokenError::Malformed;  // tokens must expire
  auto exp = numeric_date(*exp_member);
  if (!exp) return TokenError::Malformed;
  std::optional<int64_t> nbf;
  if (auto it = payload->find("nbf"); it != payload->end() && !it->is_null()) {
    nbf = numeric_date(*it);
    if (!nbf) return TokenError::Malformed;
  }
  std::optional<int64_t> iat;
  if (auto it = payload->find("iat"); it != payload->end() && !it->is_null()) {
    iat = numeric_date(*it);
    if (!iat) return TokenError::Malformed;
  }
  // Whole seconds suffice: for an integer bound N, now < N iff floor(now) < N.
  int64_t now_s = std::clamp<int64_t>(to_unix_seconds(now), -kMaxSeconds, kMaxSeconds);
  int64_t leeway_s = leeway_.count();
  if (now_s >= *exp + leeway_s) return TokenError::Expired;
  if (nbf && now_s < *nbf - leeway_s) return TokenError::NotYetValid;

  AccessTokenClaims claims;
  claims.api_key = key->first;
  auto sub = optional_string(*payload, "sub");
  auto name = optional_string(*payload, "name");
  auto metadata = optional_string(*payload, "metadata");
  if (!sub || !name || !metadata) return TokenError::Malformed;
  claims.identity = std::move(*sub);
  claims.name = std::move(*name);
  claims.metadata = std::move(*metadata);
  claims.expires = from_unix_seconds(*exp);
  if (nbf) claims.not_before = from_unix_seconds(*nbf);
  if (iat) claims.issued_at = from_unix_seconds(*iat);

  auto grants_member = payload->find("grants");
  if (grants_member == payload->end() || !grants_member->is_object()) return TokenError::MissingGrants;
  auto grants = grants_from_json(*grants_member);
  if (!grants) return TokenError::Malformed;
  claims.grants = std::move(*grants);
  if (claims.grants.room_join && claims.grants.room.empty()) return TokenError::MissingGrants;
  if (claims.grants.room_join && claims.identity.empty()) return TokenError::MissingIdentity;
  return claims;
}

}  // namespace ct::signal
