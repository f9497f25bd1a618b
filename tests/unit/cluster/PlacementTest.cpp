#include <gtest/gtest.h>

#include "FakeClusterStore.hpp"
#include "cluster/Placement.hpp"

using ct::cluster::choose_node;
using ct::cluster::NodeEntry;
using ct::cluster::testing::node;

TEST(Placement, LeastLoadedNodeWins) {
  std::vector<NodeEntry> live = {node("a", 40), node("b", 10), node("c", 30)};
  EXPECT_EQ(choose_node(live, "")->id, "b");
}

TEST(Placement, LoadIsRelativeToCapacity) {
  std::vector<NodeEntry> live = {node("small", 10, 20), node("big", 40, 400)};
  EXPECT_EQ(choose_node(live, "")->id, "big");
}

TEST(Placement, FewerRoomsThenIdBreakTies) {
  auto a = node("a"), b = node("b"), c = node("c");
  a.rooms = 3;
  b.rooms = 1;
  c.rooms = 1;
  std::vector<NodeEntry> live = {a, c, b};
  EXPECT_EQ(choose_node(live, "")->id, "b");
}

TEST(Placement, DrainingNodesTakeNoNewRooms) {
  auto a = node("a", 0);
  a.draining = true;
  std::vector<NodeEntry> live = {a, node("b", 90)};
  EXPECT_EQ(choose_node(live, "")->id, "b");
  live.pop_back();
  EXPECT_FALSE(choose_node(live, ""));
  EXPECT_FALSE(choose_node({}, ""));
}

TEST(Placement, PrefersTheJoinersRegion) {
  std::vector<NodeEntry> live = {node("us1", 5, 100, "us"), node("eu1", 50, 100, "eu"),
                                 node("eu2", 60, 100, "eu")};
  EXPECT_EQ(choose_node(live, "eu")->id, "eu1");
  EXPECT_EQ(choose_node(live, "us")->id, "us1");
  // An unknown region: the least-loaded anywhere.
  EXPECT_EQ(choose_node(live, "ap")->id, "us1");
}

TEST(Placement, AFullRegionSpillsToAnotherOne) {
  std::vector<NodeEntry> live = {node("eu1", 100, 100, "eu"), node("us1", 70, 100, "us")};
  EXPECT_EQ(choose_node(live, "eu")->id, "us1");
  // Everyone full: still the region's node, the least bad choice.
  live[1].participants = 100;
  EXPECT_EQ(choose_node(live, "eu")->id, "eu1");
}
