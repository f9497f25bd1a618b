#include <gtest/gtest.h>

#include "FakeClusterStore.hpp"
#include "cluster/RoomNodes.hpp"

using ct::cluster::LinkAddress;
using ct::cluster::NodeEntry;
using ct::cluster::parse_link_address;
using ct::cluster::peer_room_nodes;
using ct::cluster::RoomNode;
using ct::cluster::testing::node;

TEST(RoomNodes, ParsesLinkAddresses) {
  EXPECT_EQ(parse_link_address("10.0.0.5:7882"), (LinkAddress{"10.0.0.5", 7882}));
  EXPECT_EQ(parse_link_address("node-b.internal:1"), (LinkAddress{"node-b.internal", 1}));
  EXPECT_EQ(parse_link_address("[fd00::5]:65535"), (LinkAddress{"fd00::5", 65535}));
  EXPECT_EQ(to_string(LinkAddress{"fd00::5", 9}), "[fd00::5]:9");
  EXPECT_EQ(to_string(LinkAddress{"10.0.0.5", 7882}), "10.0.0.5:7882");
}

TEST(RoomNodes, RefusesMalformedAddresses) {
  for (const char* bad : {"", ":", "10.0.0.5", "10.0.0.5:", ":7882", "10.0.0.5:0", "10.0.0.5:65536",
                          "10.0.0.5:99999999", "10.0.0.5:78x2", "10.0.0.5:-1", "fd00::5:7882", "[fd00::5]",
                          "[fd00::5]7882", "[]:7882", "[fd00::5:7882"}) {
    EXPECT_FALSE(parse_link_address(bad)) << bad;
  }
  const std::string good = "[fd00::5]:7882";
  // Cut before the port's first digit (a shorter port is still a port).
  for (size_t n = 0; n <= good.find("]:") + 1; ++n) EXPECT_FALSE(parse_link_address(good.substr(0, n))) << n;
}

TEST(RoomNodes, PeersAreTheOtherLiveNodesWithValidAddresses) {
  std::vector<std::pair<std::string, std::string>> fields = {{"c", "10.0.0.7:7882"},
                                                             {"a", "10.0.0.5:7882"},
                                                             {"b", "10.0.0.6:7882"},
                                                             {"dead", "10.0.0.9:7882"},
                                                             {"broken", "nowhere"}};
  std::vector<NodeEntry> live = {node("a"), node("b"), node("c"), node("broken")};
  auto peers = peer_room_nodes(fields, live, "a");
  EXPECT_EQ(peers, (std::vector<RoomNode>{{"b", {"10.0.0.6", 7882}}, {"c", {"10.0.0.7", 7882}}}));
  EXPECT_TRUE(peer_room_nodes({}, live, "a").empty());
  EXPECT_TRUE(peer_room_nodes(fields, {}, "a").empty());
}
