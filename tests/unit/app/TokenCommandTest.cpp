#include "app/TokenCommand.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

using namespace ct::app;
using ct::signal::AccessTokenClaims;
using ct::signal::AccessTokenVerifier;
using std::chrono::seconds;
using SysTime = std::chrono::system_clock::time_point;

namespace {

const SysTime kNow{seconds(1'700'000'000) + std::chrono::milliseconds(250)};

TokenCreateOptions basic_options() {
  TokenCreateOptions o;
  o.room = "standup";
  o.identity = "alice";
  o.dev = true;
  return o;
}

AccessTokenClaims claims_for(const TokenCreateOptions& o) {
  AccessTokenClaims c;
  auto err = build_token_claims(o, kNow, c);
  EXPECT_FALSE(err) << *err;
  return c;
}

// A YAML file in the temp directory, removed at scope exit.
class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("ct-token-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".yaml")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

}  // namespace

TEST(TokenCommand, ParsesTtl) {
  EXPECT_EQ(parse_ttl("30s"), seconds(30));
  EXPECT_EQ(parse_ttl("10m"), seconds(600));
  EXPECT_EQ(parse_ttl("2h"), seconds(7200));
  EXPECT_EQ(parse_ttl("1d"), seconds(86400));
  EXPECT_EQ(parse_ttl("45"), seconds(45));
  EXPECT_EQ(parse_ttl("3650d"), seconds(3650 * 86400));
  for (const char* bad : {"", "s", "0s", "0", "-5m", "10x", "1.5h", "m10", " 10m", "10m ", "3651d",
                          "99999999999999999999s", "1h30m"}) {
    EXPECT_FALSE(parse_ttl(bad)) << bad;
  }
}

TEST(TokenCommand, DefaultGrantIsJoinWithMedia) {
  auto c = claims_for(basic_options());
  EXPECT_EQ(c.identity, "alice");
  EXPECT_EQ(c.grants.room, "standup");
  EXPECT_TRUE(c.grants.room_join);
  EXPECT_TRUE(c.grants.can_publish);
  EXPECT_TRUE(c.grants.can_subscribe);
  EXPECT_TRUE(c.grants.can_publish_data);
  EXPECT_FALSE(c.grants.room_admin);
  EXPECT_FALSE(c.grants.room_record);
  EXPECT_FALSE(c.grants.hidden);
  // Whole seconds from now, default TTL 6 h.
  EXPECT_EQ(c.not_before, SysTime(seconds(1'700'000'000)));
  EXPECT_EQ(c.issued_at, c.not_before);
  EXPECT_EQ(c.expires, c.not_before + std::chrono::hours(6));
}

TEST(TokenCommand, ListedGrantsAreExact) {
  auto o = basic_options();
  o.grants = {"subscribe"};  // a viewer: joins, watches, cannot publish
  auto viewer = claims_for(o);
  EXPECT_TRUE(viewer.grants.room_join);
  EXPECT_FALSE(viewer.grants.can_publish);
  EXPECT_TRUE(viewer.grants.can_subscribe);
  EXPECT_FALSE(viewer.grants.can_publish_data);

  o.grants = {"join", "admin", "record", "hidden"};
  auto recorder = claims_for(o);
  EXPECT_TRUE(recorder.grants.room_join);
  EXPECT_TRUE(recorder.grants.can_publish);
  EXPECT_TRUE(recorder.grants.room_admin);
  EXPECT_TRUE(recorder.grants.room_record);
  EXPECT_TRUE(recorder.grants.hidden);

  o.grants = {"admin"};  // room administration without joining
  auto admin = claims_for(o);
  EXPECT_FALSE(admin.grants.room_join);
  EXPECT_FALSE(admin.grants.can_publish);
  EXPECT_FALSE(admin.grants.can_subscribe);
  EXPECT_TRUE(admin.grants.room_admin);

  o.grants = {"room-list", "roomCreate"};  // server-wide, under either name
  auto backend = claims_for(o);
  EXPECT_TRUE(backend.grants.room_list);
  EXPECT_TRUE(backend.grants.room_create);
  EXPECT_FALSE(backend.grants.room_join);
  EXPECT_FALSE(backend.grants.room_admin);
  o.room.clear();  // they need no room
  EXPECT_TRUE(claims_for(o).grants.room.empty());
  o.room = "standup";

  o.grants = {};
  o.no_publish = true;
  auto listener = claims_for(o);
  EXPECT_FALSE(listener.grants.can_publish);
  EXPECT_TRUE(listener.grants.can_subscribe);
  o.no_publish = false;
  o.no_subscribe = true;
  EXPECT_FALSE(claims_for(o).grants.can_subscribe);
}

TEST(TokenCommand, RefusesBadOptions) {
  AccessTokenClaims c;
  auto o = basic_options();
  o.room.clear();
  EXPECT_TRUE(build_token_claims(o, kNow, c));
  o = basic_options();
  o.identity.clear();
  EXPECT_TRUE(build_token_claims(o, kNow, c));
  o = basic_options();
  o.grants = {"join", "superuser"};
  auto err = build_token_claims(o, kNow, c);
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("superuser"), std::string::npos);
  o = basic_options();
  o.ttl = "forever";
  EXPECT_TRUE(build_token_claims(o, kNow, c));
}

TEST(TokenCommand, ResolvesSigningKey) {
  ApiKey key;
  auto o = basic_options();
  ASSERT_FALSE(resolve_signing_key(o, key));
  EXPECT_EQ(key.key, "devkey");
  EXPECT_EQ(key.secret, "devsecret");

  o.dev = false;
  EXPECT_TRUE(resolve_signing_key(o, key));  // nothing given
  o.api_secret = "s3cret";
  EXPECT_TRUE(resolve_signing_key(o, key));  // secret without key
  o.api_key = "K1";
  ASSERT_FALSE(resolve_signing_key(o, key));
  EXPECT_EQ(key.key, "K1");
  EXPECT_EQ(key.secret, "s3cret");
  o.dev = true;
  EXPECT_TRUE(resolve_signing_key(o, key));  // --dev with a secret: ambiguous
}

TEST(TokenCommand, ReadsKeysFromYaml) {
  std::vector<ApiKey> keys;
  ASSERT_FALSE(parse_api_keys_yaml("log_level: info\nkeys:\n  zeta: s1\n  alpha: s2\n", keys));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].key, "zeta");  // file order, not sorted
  EXPECT_EQ(keys[0].secret, "s1");
  EXPECT_EQ(keys[1].key, "alpha");

  for (const char* bad : {"", "keys: []", "keys: {}", "keys: secret", "other: 1", "keys: {a: [1]}",
                          "keys: {a: ''}", "keys: {a: b", "- keys"}) {
    std::vector<ApiKey> out;
    EXPECT_TRUE(parse_api_keys_yaml(bad, out)) << bad;
  }

  TempFile file("keys:\n  first: first-secret-0123456789abcdef0123\n  second: second-secret-0123456789abcdef01\n");
  TokenCreateOptions o = basic_options();
  o.dev = false;
  o.config_file = file.path();
  ApiKey key;
  ASSERT_FALSE(resolve_signing_key(o, key));
  EXPECT_EQ(key.key, "first");
  o.api_key = "second";
  ASSERT_FALSE(resolve_signing_key(o, key));
  EXPECT_EQ(key.secret, "second-secret-0123456789abcdef01");
  o.api_key = "third";
  EXPECT_TRUE(resolve_signing_key(o, key));
  o.api_key.clear();
  o.config_file = file.path() + ".missing";
  EXPECT_TRUE(resolve_signing_key(o, key));
}

TEST(TokenCommand, CreatedTokenVerifies) {
  auto o = basic_options();
  o.name = "Alice";
  o.metadata = R"({"role":"host"})";
  o.grants = {"join", "admin"};
  o.ttl = "10m";
  std::string token;
  auto err = create_token(o, kNow, token);
  ASSERT_FALSE(err) << *err;

  AccessTokenVerifier verifier(std::map<std::string, std::string>{{"devkey", "devsecret"}});
  auto result = verifier.verify(token, kNow);
  ASSERT_TRUE(result.ok()) << to_string(result.error());
  EXPECT_EQ(result->api_key, "devkey");
  EXPECT_EQ(result->identity, "alice");
  EXPECT_EQ(result->name, "Alice");
  EXPECT_EQ(result->metadata, R"({"role":"host"})");
  EXPECT_EQ(result->grants, claims_for(o).grants);
  EXPECT_EQ(result->expires, SysTime(seconds(1'700'000'600)));
  EXPECT_EQ(verifier.verify(token, kNow + seconds(620)).error(), ct::signal::TokenError::Expired);

  AccessTokenVerifier other(std::map<std::string, std::string>{{"devkey", "another-secret-0123456789abcdef0123"}});
  EXPECT_EQ(other.verify(token, kNow).error(), ct::signal::TokenError::BadSignature);
}

TEST(TokenCommand, RegistersOnTheCommandLine) {
  CLI::App app{"test"};
  add_token_command(app);
  auto* token = app.get_subcommand("token");
  ASSERT_NE(token, nullptr);
  auto* create = token->get_subcommand("create");
  ASSERT_NE(create, nullptr);
  for (const char* flag : {"--room", "--identity", "--name", "--metadata", "--grant", "--no-publish",
                           "--no-subscribe", "--ttl", "--api-key", "--api-secret", "--dev", "--config"}) {
    EXPECT_NO_THROW(create->get_option(flag)) << flag;
  }
  // A missing required flag is a parse error, not a token.
  EXPECT_THROW(app.parse(std::vector<std::string>{"--dev", "create", "token"}), CLI::ParseError);
}
