// The iceServers of "joined": our TURN with fresh REST credentials first,
// then the configured STUN/TURN servers of others exactly as configured.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "signal/RtcService.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::signal {
namespace {

RtcServiceConfig config() {
  RtcServiceConfig c;
  c.turn.push_back({{"turn:203.0.113.1:3478?transport=udp"}, "our-secret", std::chrono::hours(6)});
  c.ice_servers.push_back({{"stun:stun.example.com:3478"}, "", ""});
  c.ice_servers.push_back(
      {{"turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:443?transport=tcp"},
       "alice",
       "s3cret"});
  return c;
}

TEST(RtcServiceIceServers, OursFirstThenTheConfiguredOnes) {
  auto service = std::make_shared<RtcService>(config(), std::vector<sfu::MediaWorker*>{});
  auto servers = service->ice_servers_for("bob");
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_EQ(servers[0].urls, std::vector<std::string>{"turn:203.0.113.1:3478?transport=udp"});
  EXPECT_TRUE(servers[0].username.ends_with(":bob")) << servers[0].username;
  EXPECT_FALSE(servers[0].credential.empty());
  EXPECT_EQ(servers[1].urls, std::vector<std::string>{"stun:stun.example.com:3478"});
  EXPECT_TRUE(servers[1].username.empty());
  EXPECT_EQ(servers[2].urls.size(), 2u);
  EXPECT_EQ(servers[2].username, "alice");
  EXPECT_EQ(servers[2].credential, "s3cret");
}

TEST(RtcServiceIceServers, JoinedListsThemAsRtcIceServers) {
  auto service = std::make_shared<RtcService>(config(), std::vector<sfu::MediaWorker*>{});
  sfu::event::Joined joined;
  joined.room = "r";
  joined.self.identity = "bob";
  auto j = nlohmann::json::parse(serialize_event(joined, service->ice_servers_for("bob")));
  ASSERT_EQ(j["iceServers"].size(), 3u);
  EXPECT_EQ(j["iceServers"][1], nlohmann::json::parse(R"({"urls":["stun:stun.example.com:3478"]})"));
  EXPECT_EQ(j["iceServers"][2]["username"], "alice");
  EXPECT_EQ(j["iceServers"][2]["credential"], "s3cret");
  EXPECT_EQ(j["iceServers"][2]["urls"][1], "turns:turn.example.com:443?transport=tcp");
}

}  // namespace
}  // namespace ct::signal
