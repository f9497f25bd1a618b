#include <gtest/gtest.h>

#include "FakeClusterStore.hpp"
#include "cluster/RoomRoute.hpp"

using ct::cluster::RoomRoute;
using ct::cluster::route_room;
using ct::cluster::testing::node;

TEST(RoomRoute, TheHomeNodeHostsIt) {
  EXPECT_EQ(route_room(node("a", 0, 100, "eu"), node("a", 0, 100, "eu"), true), RoomRoute::host);
  EXPECT_EQ(route_room(node("a"), node("a"), false), RoomRoute::host);
}

TEST(RoomRoute, TheSameRegionRelaysToTheHome) {
  EXPECT_EQ(route_room(node("b", 0, 100, "eu"), node("a", 10, 100, "eu"), true), RoomRoute::relay);
  EXPECT_EQ(route_room(node("b"), node("a", 10), true), RoomRoute::relay);
  // A node without a region does not count as far away.
  EXPECT_EQ(route_room(node("b", 0, 100, ""), node("a", 0, 100, "eu"), true), RoomRoute::relay);
}

TEST(RoomRoute, AnotherRegionCascades) {
  EXPECT_EQ(route_room(node("b", 0, 100, "us"), node("a", 0, 100, "eu"), true), RoomRoute::cascade);
}

TEST(RoomRoute, AFullHomeCascadesToANodeWithRoom) {
  EXPECT_EQ(route_room(node("b", 10, 100, "eu"), node("a", 100, 100, "eu"), true), RoomRoute::cascade);
  // Not to one that is full itself.
  EXPECT_EQ(route_room(node("b", 100, 100, "eu"), node("a", 100, 100, "eu"), true), RoomRoute::relay);
}

TEST(RoomRoute, OffOrDrainingRelays) {
  EXPECT_EQ(route_room(node("b", 0, 100, "us"), node("a", 0, 100, "eu"), false), RoomRoute::relay);
  auto draining = node("b", 0, 100, "us");
  draining.draining = true;
  EXPECT_EQ(route_room(draining, node("a", 0, 100, "eu"), true), RoomRoute::relay);
}
