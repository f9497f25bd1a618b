#pragma once
// `ciphertalk token create`: mints an access token (docs/tokens.md) for an
// application backend, a test or a developer. The pure steps (TTL parsing,
// grants from flags, choosing the signing key) are functions of their own so
// they are unit-tested without a command line.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signal/AccessToken.hpp"

namespace CLI {
class App;
}

namespace ct::app {

// Credentials `--dev` signs with; `ciphertalk serve --dev` accepts them.
inline constexpr std::string_view kDevApiKey = "devkey";
inline constexpr std::string_view kDevApiSecret = "devsecret";

struct TokenCreateOptions {
  std::string room;
  std::string identity;
  std::string name;
  std::string metadata;
  // Any of join, publish, subscribe, publish-data, admin, record, hidden.
  // Empty: join (with publish, subscribe and publish-data). publish,
  // subscribe, publish-data and hidden imply join; once any of publish,
  // subscribe, publish-data is listed, the unlisted ones are not granted.
  std::vector<std::string> grants;
  bool no_publish = false;
  bool no_subscribe = false;
  std::string ttl = "6h";
  std::string api_key;
  std::string api_secret;
  bool dev = false;
  std::string config_file;  // YAML with `keys: {KEY: SECRET}`
};

struct ApiKey {
  std::string key;
  std::string secret;
};

// "30s", "10m", "2h", "1d" or plain seconds; nothing if malformed, zero or
// longer than ten years.
std::optional<std::chrono::seconds> parse_ttl(std::string_view text);

// Reads `keys: {KEY: SECRET, ...}` in file order. Returns an error message, or
// nothing and fills `out`.
std::optional<std::string> parse_api_keys_yaml(const std::string& yaml_text, std::vector<ApiKey>& out);

// --dev, or --api-key/--api-secret, or --config (its first key unless
// --api-key names one). Returns an error message, or nothing and fills `out`.
std::optional<std::string> resolve_signing_key(const TokenCreateOptions& options, ApiKey& out);

// Claims for `options`, valid from `now` for the TTL. `api_key` is left to the
// signer. Returns an error message, or nothing and fills `out`.
std::optional<std::string> build_token_claims(const TokenCreateOptions& options,
                                              std::chrono::system_clock::time_point now,
                                              ct::signal::AccessTokenClaims& out);

// All of the above, then signs. Returns an error message, or nothing and fills `token`.
std::optional<std::string> create_token(const TokenCreateOptions& options, std::chrono::system_clock::time_point now,
                                        std::string& token);

// Registers `token create` on the ciphertalk command line. Errors go to
// stderr with exit code 2; the token alone goes to stdout.
void add_token_command(CLI::App& app);

}  // namespace ct::app
