#pragma once
// TURN REST ephemeral credentials, the scheme coturn's `use-auth-secret`
// implements (draft-uberti-behave-turn-rest-00): the username is
// "<unix-expiry>:<user>" and the password is base64(HMAC-SHA1(secret, username)).
// An application server that knows the shared secret mints credentials; the
// TURN server recomputes the password, so it keeps no user database and a
// coturn configured with the same secret accepts the same credentials.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ct::turn {

struct RestCredentials {
  std::string username;
  std::string password;
};

// Credentials for `user` valid until now + ttl.
RestCredentials make_rest_credentials(std::string_view secret, std::string_view user, std::chrono::seconds ttl,
                                      std::chrono::system_clock::time_point now);

// base64(HMAC-SHA1(secret, username)).
std::string rest_password(std::string_view secret, std::string_view username);

// A REST username split into its parts.
struct RestUsername {
  int64_t expiry_unix = 0;  // seconds since the epoch
  std::string_view user;    // what follows the first ':' (may be empty)
};

// "<digits>" or "<digits>:<user>"; nothing if the timestamp is not a plain
// decimal number. (coturn takes the timestamp before the first ':'.)
std::optional<RestUsername> parse_rest_username(std::string_view username);

// The long-term keys (RFC 8489 §9.2.2) one username may be checked against:
// one per valid secret, so a secret can be rotated without breaking calls.
// Empty if the username is malformed or expired at `now`.
std::vector<std::array<uint8_t, 16>> rest_keys(std::span<const std::string> secrets, std::string_view username,
                                               std::string_view realm, std::chrono::system_clock::time_point now);

}  // namespace ct::turn
