#include "turn/RestCredentials.hpp"

#include <charconv>

#include "core/Encoding.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunCrypto.hpp"

namespace ct::turn {
namespace {

std::span<const uint8_t> as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

std::string rest_password(std::string_view secret, std::string_view username) {
  std::array<uint8_t, 20> mac{};
  stun::hmac(stun::HmacDigest::Sha1, as_bytes(secret), as_bytes(username), {}, mac.data());
  return base64_encode(mac);
}

RestCredentials make_rest_credentials(std::string_view secret, std::string_view user, std::chrono::seconds ttl,
                                      std::chrono::system_clock::time_point now) {
  auto expiry = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + ttl).count();
  RestCredentials c;
  c.username = std::to_string(expiry);
  if (!user.empty()) {
    c.username += ':';
    c.username += user;
  }
  c.password = rest_password(secret, c.username);
  return c;
}

std::optional<RestUsername> parse_rest_username(std::string_view username) {
  auto colon = username.find(':');
  std::string_view stamp = username.substr(0, colon);
  if (stamp.empty() || stamp.size() > 18) return std::nullopt;
  RestUsername out;
  auto [end, ec] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), out.expiry_unix);
  if (ec != std::errc{} || end != stamp.data() + stamp.size() || out.expiry_unix < 0) return std::nullopt;
  if (colon != std::string_view::npos) out.user = username.substr(colon + 1);
  return out;
}

std::vector<std::array<uint8_t, 16>> rest_keys(std::span<const std::string> secrets, std::string_view username,
                                               std::string_view realm, std::chrono::system_clock::time_point now) {
  std::vector<std::array<uint8_t, 16>> keys;
  auto parsed = parse_rest_username(username);
  if (!parsed) return keys;
  auto now_unix = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (parsed->expiry_unix < now_unix) return keys;  // expired credentials are refused
  keys.reserve(secrets.size());
  for (const auto& secret : secrets) keys.push_back(stun::long_term_key(username, realm, rest_password(secret, username)));
  return keys;
}

}  // namespace ct::turn
