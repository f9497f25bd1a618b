#include <gtest/gtest.h>

#include "FakeClusterStore.hpp"
#include "cluster/RoomPlacer.hpp"

using namespace ct::cluster;
using ct::cluster::testing::FakeClusterStore;
using ct::cluster::testing::node;

namespace {

std::string placed_on(const PlacementResult& r) {
  if (auto* n = std::get_if<NodeEntry>(&r)) return n->id;
  return "refused:" + std::get<PlacementRefused>(r).reason;
}

}  // namespace

TEST(RoomPlacer, ANewRoomIsClaimedForTheLeastLoadedNode) {
  FakeClusterStore store;
  store.nodes = {{"a", node("a", 20)}, {"b", node("b", 5)}};
  EXPECT_EQ(placed_on(place_room(store, "standup", "")), "b");
  EXPECT_EQ(store.rooms.at("standup"), "b");
  // The next join of the room goes where it is, however the load moved.
  store.nodes["b"].participants = 90;
  EXPECT_EQ(placed_on(place_room(store, "standup", "")), "b");
}

TEST(RoomPlacer, ARoomStaysOnADrainingNodeWhileItLives) {
  FakeClusterStore store;
  store.nodes = {{"a", node("a")}, {"b", node("b")}};
  store.nodes["a"].draining = true;
  store.rooms["standup"] = "a";
  EXPECT_EQ(placed_on(place_room(store, "standup", "")), "a");
  EXPECT_EQ(placed_on(place_room(store, "retro", "")), "b");
}

TEST(RoomPlacer, TheClaimOfADeadNodeIsTakenOver) {
  FakeClusterStore store;
  store.nodes = {{"a", node("a", 50)}, {"c", node("c", 10)}};
  store.rooms["standup"] = "b";  // b's entry expired
  EXPECT_EQ(placed_on(place_room(store, "standup", "")), "c");
  EXPECT_EQ(store.rooms.at("standup"), "c");
}

TEST(RoomPlacer, TwoNodesRacingAgreeOnTheFirstClaim) {
  FakeClusterStore store;
  store.nodes = {{"a", node("a", 0)}, {"b", node("b", 10)}};
  // Another node claims the room for b between our read and our claim.
  store.before_claim = [&](const std::string& room) {
    store.before_claim = nullptr;
    store.rooms[room] = "b";
  };
  EXPECT_EQ(placed_on(place_room(store, "standup", "")), "b");
  EXPECT_EQ(store.rooms.at("standup"), "b");
}

TEST(RoomPlacer, ATakeOverRaceAlsoEndsWithTheWinner) {
  FakeClusterStore store;
  store.nodes = {{"a", node("a", 0)}, {"c", node("c", 10)}};
  store.rooms["standup"] = "dead";
  store.before_claim = [&](const std::string& room) {
    store.before_claim = nullptr;
    store.rooms[room] = "c";
  };
  EXPECT_EQ(placed_on(place_room(store, "standup", "")), "c");
}

TEST(RoomPlacer, NoNodeToTakeTheRoom) {
  FakeClusterStore store;
  store.nodes = {{"a", node("a")}};
  store.nodes["a"].draining = true;
  EXPECT_EQ(placed_on(place_room(store, "standup", "")), "refused:no_node");
  EXPECT_TRUE(store.rooms.empty());
}

TEST(RoomPlacer, AnUnreachableStoreThrows) {
  FakeClusterStore store;
  store.unreachable = true;
  EXPECT_THROW(place_room(store, "standup", ""), ClusterStoreError);
}

TEST(RoomPlacer, ANodeWhoseLoadIsStaleTakesNoNewRoom) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const int64_t now_ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  FakeClusterStore store;
  store.nodes = {{"a", node("a", 0)}, {"b", node("b", 50)}};
  store.nodes["a"].updated_ms = now_ms - 8000;
  store.nodes["b"].updated_ms = now_ms - 1000;
  EXPECT_EQ(placed_on(place_room(store, "standup", "", now)), "b");
  // A room already on the stale node stays there while its entry lives.
  store.rooms["retro"] = "a";
  EXPECT_EQ(placed_on(place_room(store, "retro", "", now)), "a");
}
