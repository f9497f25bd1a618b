#include "cluster/RoomHandover.hpp"

#include <algorithm>

#include "cluster/Placement.hpp"

namespace ct::cluster {

std::vector<HandedOverRoom> hand_over_rooms(ClusterStore& store, const std::string& self,
                                            std::span<const HostedRoom> rooms, std::string_view region) {
  std::vector<NodeEntry> live = store.live_nodes();
  std::erase_if(live, [&](const NodeEntry& n) { return n.id == self; });
  std::vector<NodeEntry> others = with_fresh_load(live, std::chrono::system_clock::now());
  std::vector<HostedRoom> order(rooms.begin(), rooms.end());
  std::stable_sort(order.begin(), order.end(),
                   [](const HostedRoom& a, const HostedRoom& b) { return a.participants > b.participants; });
  std::vector<HandedOverRoom> out;
  for (const auto& room : order) {
    if (store.room_owner(room.name) != self) continue;  // split or lost: not ours to give
    auto target = choose_node(others, region);
    if (!target) break;  // every other node is draining or gone
    if (!store.take_over_room(room.name, self, target->id)) continue;
    // The next choice sees the load this room brings.
    auto it =
        std::find_if(others.begin(), others.end(), [&](const NodeEntry& n) { return n.id == target->id; });
    it->participants += room.participants;
    it->rooms += 1;
    out.push_back({room.name, *target});
  }
  return out;
}

}  // namespace ct::cluster
