#pragma once
// Finds the node that hosts a room, claiming one for it when none does:
// the owner when it is alive; otherwise the node choose_node picks, claimed
// atomically (SET NX, or a compare-and-set away from a dead owner), so two
// nodes that place one room at the same moment agree on the winner.
#include <chrono>
#include <string>
#include <variant>

#include "cluster/ClusterStore.hpp"
#include "cluster/NodeEntry.hpp"

namespace ct::cluster {

struct PlacementRefused {
  std::string reason;  // "no_node": no live node may take a new room
};

using PlacementResult = std::variant<NodeEntry, PlacementRefused>;

// A new room goes to a node whose load is fresh at `now` (with_fresh_load).
// Throws ClusterStoreError when the store cannot be reached.
PlacementResult place_room(ClusterStore& store, const std::string& room, const std::string& preferred_region,
                           std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace ct::cluster
