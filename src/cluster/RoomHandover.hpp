#pragma once
// A draining node hands the rooms it hosts to other nodes: each room's claim
// moves (compare-and-set from this node to the chosen one) to the
// least-loaded live node that is not draining, preferring this node's region,
// so the room's participants can be sent there with `move` and the node can
// exit without cutting a call. Rooms go one by one, largest first, and each
// choice counts the participants already sent to a node.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/ClusterStore.hpp"
#include "cluster/NodeEntry.hpp"

namespace ct::cluster {

struct HostedRoom {
  std::string name;
  size_t participants = 0;
};

struct HandedOverRoom {
  std::string room;
  NodeEntry to;
};

// Rooms whose claim this node does not hold, or that no other node can take,
// stay. Throws ClusterStoreError when the store cannot be reached (the rooms
// handed over before that keep their new claim; the caller moves nobody).
std::vector<HandedOverRoom> hand_over_rooms(ClusterStore& store, const std::string& self,
                                            std::span<const HostedRoom> rooms, std::string_view region);

}  // namespace ct::cluster
