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

TEST(Placement, ExactTiesGoToTheSameNodeWhoeverChooses) {
  std::vector<NodeEntry> live = {node("c", 10), node("a", 10), node("b", 10)};
  EXPECT_EQ(choose_node(live, "")->id, "a");
  std::vector<NodeEntry> reversed(live.rbegin(), live.rend());
  EXPECT_EQ(choose_node(reversed, "")->id, "a");
  // The same load: fewer rooms, then less CPU, before the id.
  live[0].cpu = 0.1;
  live[1].cpu = 0.9;
  live[2].cpu = 0.5;
  EXPECT_EQ(choose_node(live, "")->id, "c");
}

TEST(Placement, StaleLoadsTakeNoNewRoomsWhileFreshOnesCan) {
  using namespace std::chrono;
  const auto now = system_clock::time_point(milliseconds(1'000'000'000));
  const int64_t now_ms = 1'000'000'000;
  auto stuck = node("a", 0), busy = node("b", 80), old = node("c", 1);
  stuck.updated_ms = now_ms - 9000;  // missed writes: its entry has not expired yet
  busy.updated_ms = now_ms - 1500;
  old.updated_ms = 0;  // an entry that does not say when: fresh
  std::vector<NodeEntry> live = {stuck, busy};
  auto fresh = ct::cluster::with_fresh_load(live, now);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(choose_node(fresh, "")->id, "b");
  live.push_back(old);
  EXPECT_EQ(choose_node(ct::cluster::with_fresh_load(live, now), "")->id, "c");
  // Every load stale: better a node than none.
  std::vector<NodeEntry> all_stale = {stuck};
  EXPECT_EQ(choose_node(ct::cluster::with_fresh_load(all_stale, now), "")->id, "a");
}

TEST(Placement, ADrainingNodeInTheRegionSendsTheRoomElsewhere) {
  auto eu = node("eu1", 0, 100, "eu");
  eu.draining = true;
  std::vector<NodeEntry> live = {eu, node("us1", 60, 100, "us")};
  EXPECT_EQ(choose_node(live, "eu")->id, "us1");
}
