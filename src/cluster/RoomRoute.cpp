#include "cluster/RoomRoute.hpp"

namespace ct::cluster {

namespace {

bool full(const NodeEntry& n) { return n.capacity > 0 && n.participants >= n.capacity; }

}  // namespace

RoomRoute route_room(const NodeEntry& self, const NodeEntry& home, bool cascade_enabled) {
  if (home.id == self.id) return RoomRoute::host;
  if (!cascade_enabled || self.draining || full(self)) return RoomRoute::relay;
  if (full(home)) return RoomRoute::cascade;
  if (!self.region.empty() && !home.region.empty() && self.region != home.region) return RoomRoute::cascade;
  return RoomRoute::relay;
}

std::string_view to_string(RoomRoute route) {
  switch (route) {
    case RoomRoute::host:
      return "host";
    case RoomRoute::relay:
      return "relay";
    case RoomRoute::cascade:
      return "cascade";
  }
  return "unknown";
}

}  // namespace ct::cluster
