#include <gtest/gtest.h>

#include "FakeClusterStore.hpp"
#include "cluster/RoomHandover.hpp"

using namespace ct::cluster;
using ct::cluster::testing::FakeClusterStore;
using ct::cluster::testing::node;

namespace {

// Node "a" drains; it hosts the rooms given.
FakeClusterStore draining_a(std::vector<std::string> rooms) {
  FakeClusterStore store;
  auto a = node("a", 30);
  a.draining = true;
  store.nodes["a"] = a;
  for (auto& r : rooms) store.rooms[r] = "a";
  return store;
}

}  // namespace

TEST(RoomHandover, EachRoomsClaimMovesToTheLeastLoadedOtherNode) {
  auto store = draining_a({"standup"});
  store.nodes["b"] = node("b", 40);
  store.nodes["c"] = node("c", 10);
  std::vector<HostedRoom> rooms = {{"standup", 2}};
  auto moved = hand_over_rooms(store, "a", rooms, "");
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].room, "standup");
  EXPECT_EQ(moved[0].to.id, "c");
  EXPECT_EQ(store.rooms.at("standup"), "c");
}

TEST(RoomHandover, RoomsSpreadAsTheyFillTheTargets) {
  auto store = draining_a({"big", "small", "mid"});
  store.nodes["b"] = node("b", 0);
  store.nodes["c"] = node("c", 5);
  std::vector<HostedRoom> rooms = {{"small", 2}, {"big", 20}, {"mid", 8}};
  auto moved = hand_over_rooms(store, "a", rooms, "");
  ASSERT_EQ(moved.size(), 3u);
  // Largest first, each choice counting the people already sent.
  EXPECT_EQ(moved[0].room, "big");
  EXPECT_EQ(store.rooms.at("big"), "b");  // b: 0 -> 20
  EXPECT_EQ(store.rooms.at("mid"), "c");  // c: 5 -> 13
  EXPECT_EQ(store.rooms.at("small"), "c");
}

TEST(RoomHandover, PrefersTheDrainingNodesRegion) {
  auto store = draining_a({"standup"});
  store.nodes["us1"] = node("us1", 0, 100, "us");
  store.nodes["eu1"] = node("eu1", 50, 100, "eu");
  std::vector<HostedRoom> rooms = {{"standup", 2}};
  EXPECT_EQ(hand_over_rooms(store, "a", rooms, "eu").at(0).to.id, "eu1");
}

TEST(RoomHandover, NothingMovesWithoutAnotherNodeThatTakesRooms) {
  auto store = draining_a({"standup"});
  std::vector<HostedRoom> rooms = {{"standup", 2}};
  EXPECT_TRUE(hand_over_rooms(store, "a", rooms, "").empty());
  auto b = node("b");
  b.draining = true;
  store.nodes["b"] = b;
  EXPECT_TRUE(hand_over_rooms(store, "a", rooms, "").empty());
  EXPECT_EQ(store.rooms.at("standup"), "a");
}

TEST(RoomHandover, OnlyRoomsThisNodeClaimsAreGiven) {
  auto store = draining_a({"ours"});
  store.rooms["split"] = "c";  // runs here too, but c holds the claim
  store.nodes["b"] = node("b");
  store.nodes["c"] = node("c", 90);
  std::vector<HostedRoom> rooms = {{"ours", 1}, {"split", 1}, {"unclaimed", 1}};
  auto moved = hand_over_rooms(store, "a", rooms, "");
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].room, "ours");
  EXPECT_EQ(store.rooms.at("split"), "c");
  EXPECT_EQ(store.rooms.count("unclaimed"), 0u);
}

TEST(RoomHandover, ALostCompareAndSetLeavesTheRoomToTheWinner) {
  auto store = draining_a({"standup"});
  store.nodes["b"] = node("b");
  store.before_claim = [&](const std::string& room) { store.rooms[room] = "c"; };
  std::vector<HostedRoom> rooms = {{"standup", 1}};
  EXPECT_TRUE(hand_over_rooms(store, "a", rooms, "").empty());
  EXPECT_EQ(store.rooms.at("standup"), "c");
}

TEST(RoomHandover, AnUnreachableStoreThrows) {
  auto store = draining_a({"standup"});
  store.unreachable = true;
  std::vector<HostedRoom> rooms = {{"standup", 1}};
  EXPECT_THROW(hand_over_rooms(store, "a", rooms, ""), ClusterStoreError);
}
