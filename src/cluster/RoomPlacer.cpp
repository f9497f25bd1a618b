#include "cluster/RoomPlacer.hpp"

#include <algorithm>

#include "cluster/Placement.hpp"

namespace ct::cluster {

PlacementResult place_room(ClusterStore& store, const std::string& room, const std::string& preferred_region,
                           std::chrono::system_clock::time_point now) {
  const std::vector<NodeEntry> live = store.live_nodes();
  const std::vector<NodeEntry> candidates = with_fresh_load(live, now);
  auto find_live = [&](const std::string& id) {
    return std::find_if(live.begin(), live.end(), [&](const NodeEntry& n) { return n.id == id; });
  };
  // Each lost race means another node just claimed the room: the next round reads its claim.
  for (int round = 0; round < 4; ++round) {
    std::optional<std::string> owner = store.room_owner(room);
    // A room stays where it is while its node lives, draining or not (no room spans nodes).
    if (owner) {
      if (auto it = find_live(*owner); it != live.end()) return *it;
    }
    auto target = choose_node(candidates, preferred_region);
    if (!target) return PlacementRefused{"no_node"};
    bool won = owner ? store.take_over_room(room, *owner, target->id) : store.claim_room(room, target->id);
    if (won) return *target;
  }
  throw ClusterStoreError("the claim on room '" + room + "' kept changing");
}

}  // namespace ct::cluster
