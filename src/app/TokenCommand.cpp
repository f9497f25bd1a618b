#include "app/TokenCommand.hpp"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace ct::app {

namespace {

constexpr std::string_view kGrantNames[] = {"join",   "publish",   "subscribe", "publish-data", "admin",
                                            "record", "hidden",    "room-list", "room-create",  "roomList",
                                            "roomCreate"};
constexpr int64_t kMaxTtlSeconds = int64_t(3650) * 86400;

bool has(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::optional<std::string> read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot open " + path;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return "cannot read " + path;
  out = text.str();
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::seconds> parse_ttl(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t unit = 1;  // plain digits are seconds
  std::string_view digits = text;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default:
      if (text.back() < '0' || text.back() > '9') return std::nullopt;  // unknown unit
  }
  if (text.back() < '0' || text.back() > '9') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value == 0 || value > kMaxTtlSeconds / unit) return std::nullopt;
  return std::chrono::seconds(value * unit);
}

std::optional<std::string> parse_api_keys_yaml(const std::string& yaml_text, std::vector<ApiKey>& out) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return std::string("invalid YAML: ") + e.what();
  }
  if (!root.IsMap() || !root["keys"]) return std::string("no `keys:` section (keys: {API_KEY: SECRET})");
  YAML::Node keys = root["keys"];
  if (!keys.IsMap() || keys.size() == 0) return std::string("`keys` must map API keys to secrets");
  std::vector<ApiKey> parsed;
  for (const auto& entry : keys) {
    if (!entry.first.IsScalar() || !entry.second.IsScalar()) {
      return std::string("`keys` must map API keys to secrets");
    }
    ApiKey key{entry.first.Scalar(), entry.second.Scalar()};
    if (key.key.empty() || key.secret.empty()) return std::string("`keys` has an empty key or secret");
    parsed.push_back(std::move(key));
  }
  out = std::move(parsed);
  return std::nullopt;
}

std::optional<std::string> resolve_signing_key(const TokenCreateOptions& o, ApiKey& out) {
  if (o.dev) {
    if (!o.api_secret.empty() || !o.config_file.empty()) return std::string("--dev excludes --api-secret and --config");
    if (!o.api_key.empty() && o.api_key != kDevApiKey) return std::string("--dev signs with API key devkey");
    out = ApiKey{std::string(kDevApiKey), std::string(kDevApiSecret)};
    return std::nullopt;
  }
  if (!o.api_secret.empty()) {
    if (!o.config_file.empty()) return std::string("give either --api-secret or --config, not both");
    if (o.api_key.empty()) return std::string("--api-secret needs --api-key");
    out = ApiKey{o.api_key, o.api_secret};
    return std::nullopt;
  }
  if (!o.config_file.empty()) {
    std::string text;
    if (auto err = read_file(o.config_file, text)) return err;
    std::vector<ApiKey> keys;
    if (auto err = parse_api_keys_yaml(text, keys)) return o.config_file + ": " + *err;
    if (o.api_key.empty()) {
      out = keys.front();
      return std::nullopt;
    }
    for (const auto& k : keys) {
      if (k.key == o.api_key) {
        out = k;
        return std::nullopt;
      }
    }
    return o.config_file + ": no API key " + o.api_key;
  }
  return std::string("no signing key: give --api-key and --api-secret, --config FILE, or --dev");
}

std::optional<std::string> build_token_claims(const TokenCreateOptions& o, std::chrono::system_clock::time_point now,
                                              ct::signal::AccessTokenClaims& out) {
  if (o.identity.empty()) return std::string("--identity is required");
  for (const auto& g : o.grants) {
    if (std::find(std::begin(kGrantNames), std::end(kGrantNames), g) == std::end(kGrantNames)) {
      return "unknown grant '" + g +
             "' (join, publish, subscribe, publish-data, admin, record, hidden, room-list, room-create)";
    }
  }
  auto ttl = parse_ttl(o.ttl);
  if (!ttl) return "invalid --ttl '" + o.ttl + "' (30s, 10m, 2h, 1d)";

  std::vector<std::string> grants = o.grants;
  if (grants.empty()) grants.push_back("join");
  ct::signal::VideoGrants g;
  g.room = o.room;
  // Publishing, subscribing and hiding only mean something for a participant.
  g.room_join = has(grants, "join") || has(grants, "publish") || has(grants, "subscribe") ||
                has(grants, "publish-data") || has(grants, "hidden");
  bool media_listed = has(grants, "publish") || has(grants, "subscribe") || has(grants, "publish-data");
  g.can_publish = media_listed ? has(grants, "publish") : g.room_join;
  g.can_subscribe = media_listed ? has(grants, "subscribe") : g.room_join;
  g.can_publish_data = media_listed ? has(grants, "publish-data") : g.room_join;
  if (o.no_publish) g.can_publish = false;
  if (o.no_subscribe) g.can_subscribe = false;
  g.room_admin = has(grants, "admin");
  g.room_record = has(grants, "record");
  g.hidden = has(grants, "hidden");
  // Server-wide grants (docs/tokens.md), also under their claim names.
  g.room_list = has(grants, "room-list") || has(grants, "roomList");
  g.room_create = has(grants, "room-create") || has(grants, "roomCreate");
  // A participant needs a room; admin and record without one apply to every room.
  if (g.room_join && o.room.empty()) return std::string("--room is required with join, publish, subscribe, publish-data or hidden");

  ct::signal::AccessTokenClaims claims;
  claims.identity = o.identity;
  claims.name = o.name;
  claims.metadata = o.metadata;
  claims.grants = std::move(g);
  // Whole seconds: what the token carries.
  auto start = std::chrono::floor<std::chrono::seconds>(now);
  claims.issued_at = start;
  claims.not_before = start;
  claims.expires = start + *ttl;
  out = std::move(claims);
  return std::nullopt;
}

std::optional<std::string> create_token(const TokenCreateOptions& options, std::chrono::system_clock::time_point now,
                                        std::string& token) {
  ApiKey key;
  if (auto err = resolve_signing_key(options, key)) return err;
  ct::signal::AccessTokenClaims claims;
  if (auto err = build_token_claims(options, now, claims)) return err;
  try {
    token = ct::signal::AccessTokenSigner(key.key, key.secret).sign(claims);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

void add_token_command(CLI::App& app) {
  auto* token = app.add_subcommand("token", "Access tokens for clients (docs/tokens.md)");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "Mint an access token and print it on stdout");

  // Owned by the callback, which outlives parsing.
  auto o = std::make_shared<TokenCreateOptions>();
  create->add_option("--room", o->room, "Room the token is for (required to join; none: admin and record apply to every room)");
  create->add_option("--identity", o->identity, "Participant identity (`sub`), unique in the room")->required();
  create->add_option("--name", o->name, "Display name");
  create->add_option("--metadata", o->metadata, "Opaque application data handed to other participants");
  create
      ->add_option("--grant", o->grants,
                   "join, publish, subscribe, publish-data, admin, record, hidden, room-list, room-create (repeat "
                   "or comma-separate). Default: join, which includes publish, subscribe and publish-data")
      ->delimiter(',')
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kGrantNames), std::end(kGrantNames))));
  create->add_flag("--no-publish", o->no_publish, "Do not allow publishing tracks");
  create->add_flag("--no-subscribe", o->no_subscribe, "Do not allow subscribing to tracks");
  create->add_option("--ttl", o->ttl, "Validity: 30s, 10m, 2h, 1d")->capture_default_str();
  create->add_option("--api-key", o->api_key, "API key (`iss`); env CIPHERTALK_API_KEY");
  create->add_option("--api-secret", o->api_secret, "Secret of the API key; env CIPHERTALK_API_SECRET");
  create->add_flag("--dev", o->dev, "Sign with the development key (devkey/devsecret) of `serve --dev`");
  create->add_option("-c,--config", o->config_file, "YAML file with keys: {KEY: SECRET}")
      ->check(CLI::ExistingFile);

  create->callback([o] {
    // Secrets in the environment stay out of `ps`; flags win over them.
    if (!o->dev && o->config_file.empty() && o->api_secret.empty()) {
      if (const char* secret = std::getenv("CIPHERTALK_API_SECRET")) o->api_secret = secret;
      if (const char* key = std::getenv("CIPHERTALK_API_KEY"); key && o->api_key.empty()) o->api_key = key;
    }
    std::string text;
    if (auto err = create_token(*o, std::chrono::system_clock::now(), text)) {
      std::fprintf(stderr, "ciphertalk token create: %s\n", err->c_str());
      throw CLI::RuntimeError(2);
    }
    std::printf("%s\n", text.c_str());
  });
}

}  // namespace ct::app
