// rtc.ice_servers and --ice-server: external STUN/TURN servers handed to clients.
#include <gtest/gtest.h>

#include "app/Config.hpp"

using ct::app::Config;

namespace {

Config dev() {
  Config c;
  c.apply_dev_defaults();
  return c;
}

std::string error_of(const std::optional<std::string>& e) { return e.value_or(""); }

}  // namespace

TEST(ConfigIceServers, NoneByDefault) { EXPECT_TRUE(dev().ice_servers.empty()); }

TEST(ConfigIceServers, YamlListWithSingleAndManyUrls) {
  Config c = dev();
  ASSERT_FALSE(
      c.load_yaml_text("rtc:\n"
                       "  ice_servers:\n"
                       "    - urls: stun:stun.example.com:3478\n"
                       "    - urls: [\"turn:turn.example.com:3478?transport=udp\", "
                       "\"turns:turn.example.com:443?transport=tcp\"]\n"
                       "      username: alice\n"
                       "      credential: s3cret\n"));
  ASSERT_EQ(c.ice_servers.size(), 2u);
  EXPECT_EQ(c.ice_servers[0].urls, std::vector<std::string>{"stun:stun.example.com:3478"});
  EXPECT_TRUE(c.ice_servers[0].username.empty());
  EXPECT_EQ(c.ice_servers[1].urls, (std::vector<std::string>{"turn:turn.example.com:3478?transport=udp",
                                                             "turns:turn.example.com:443?transport=tcp"}));
  EXPECT_EQ(c.ice_servers[1].username, "alice");
  EXPECT_EQ(c.ice_servers[1].credential, "s3cret");
  EXPECT_FALSE(c.validate());
}

TEST(ConfigIceServers, YamlShapeErrorsNameTheKey) {
  Config c = dev();
  EXPECT_NE(error_of(c.load_yaml_text("rtc:\n  ice_servers: stun:x\n")).find("rtc.ice_servers"),
            std::string::npos);
  EXPECT_NE(error_of(c.load_yaml_text("rtc:\n  ice_servers: [{username: a}]\n")).find("urls"),
            std::string::npos);
  EXPECT_NE(
      error_of(c.load_yaml_text("rtc:\n  ice_servers: [{urls: stun:x, password: p}]\n")).find("password"),
      std::string::npos);
  EXPECT_NE(error_of(c.load_yaml_text("rtc:\n  ice_servers: [stun:x]\n")).find("rtc.ice_servers"),
            std::string::npos);
}

TEST(ConfigIceServers, ValidateRefusesBadUrlsAndTurnWithoutCredentials) {
  Config c = dev();
  ASSERT_FALSE(c.load_yaml_text("rtc:\n  ice_servers: [{urls: \"turn://turn.example.com\"}]\n"));
  auto bad_url = error_of(c.validate());
  EXPECT_NE(bad_url.find("rtc.ice_servers[0]"), std::string::npos) << bad_url;
  EXPECT_NE(bad_url.find("turn://turn.example.com"), std::string::npos) << bad_url;

  ASSERT_FALSE(
      c.load_yaml_text("rtc:\n  ice_servers: [{urls: stun:a.example}, {urls: \"turn:b.example\"}]\n"));
  auto no_credentials = error_of(c.validate());
  EXPECT_NE(no_credentials.find("rtc.ice_servers[1]"), std::string::npos) << no_credentials;
  EXPECT_NE(no_credentials.find("username"), std::string::npos) << no_credentials;

  c.ice_servers[1].username = "u";
  c.ice_servers[1].credential = "c";
  EXPECT_FALSE(c.validate());
  c.ice_servers[0].urls.clear();
  EXPECT_NE(error_of(c.validate()).find("no urls"), std::string::npos);
}

TEST(ConfigIceServers, FlagsGroupStunAndTurnAndReplaceTheFile) {
  Config c = dev();
  ASSERT_FALSE(c.load_yaml_text("rtc:\n  ice_servers: [{urls: stun:from-file.example}]\n"));
  ASSERT_FALSE(
      c.apply_ice_server_flags({"stun:stun.example.com", "turn:turn.example.com:3478?transport=udp",
                                "stun:stun2.example.com:19302", "turns:turn.example.com:443?transport=tcp"},
                               "alice", "s3cret"));
  ASSERT_EQ(c.ice_servers.size(), 2u);
  EXPECT_EQ(c.ice_servers[0].urls,
            (std::vector<std::string>{"stun:stun.example.com", "stun:stun2.example.com:19302"}));
  EXPECT_TRUE(c.ice_servers[0].username.empty());
  EXPECT_EQ(c.ice_servers[1].urls, (std::vector<std::string>{"turn:turn.example.com:3478?transport=udp",
                                                             "turns:turn.example.com:443?transport=tcp"}));
  EXPECT_EQ(c.ice_servers[1].username, "alice");
  EXPECT_EQ(c.ice_servers[1].credential, "s3cret");
  EXPECT_FALSE(c.validate());
}

TEST(ConfigIceServers, FlagsWithoutUrlsKeepTheFile) {
  Config c = dev();
  ASSERT_FALSE(c.load_yaml_text("rtc:\n  ice_servers: [{urls: stun:from-file.example}]\n"));
  ASSERT_FALSE(c.apply_ice_server_flags({}, "", ""));
  ASSERT_EQ(c.ice_servers.size(), 1u);
  EXPECT_EQ(c.ice_servers[0].urls[0], "stun:from-file.example");
}

TEST(ConfigIceServers, FlagErrors) {
  Config c = dev();
  EXPECT_NE(error_of(c.apply_ice_server_flags({"turn:t.example"}, "", "")).find("--ice-server-username"),
            std::string::npos);
  EXPECT_NE(error_of(c.apply_ice_server_flags({"turn:t.example"}, "u", "")).find("--ice-server-credential"),
            std::string::npos);
  EXPECT_NE(error_of(c.apply_ice_server_flags({"stun:s.example"}, "u", "c")).find("turn:"),
            std::string::npos);
  EXPECT_NE(error_of(c.apply_ice_server_flags({}, "u", "")).find("--ice-server"), std::string::npos);
  auto garbage = error_of(c.apply_ice_server_flags({"stun:s.example", "garbage"}, "", ""));
  EXPECT_NE(garbage.find("'garbage'"), std::string::npos) << garbage;
  EXPECT_TRUE(c.ice_servers.empty()) << "a refused flag list changes nothing";
}

TEST(ConfigIceServers, ExternalRestTurnUrlsAreChecked) {
  Config c = dev();
  c.external_turn_urls = {"stun:not-turn.example"};
  c.external_turn_secret = "s";
  EXPECT_NE(error_of(c.validate()).find("not a turn: URL"), std::string::npos);
  c.external_turn_urls = {"turn:turn.example.com:3478?transport=tcp"};
  EXPECT_FALSE(c.validate());
}
