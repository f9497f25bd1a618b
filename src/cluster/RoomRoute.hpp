#pragma once
// How this node serves a client that joins a room whose home (claim) is on
// another node: relay its signaling to the home node (the room stays on one
// node), or serve it here as a cascaded part of the room, linked to the
// other nodes that serve it. A room spans nodes only where that helps: the
// joiner's node is in another region than the home node (people far apart
// each reach a nearby node), or the home node is full and this one is not.
#include <string_view>

#include "cluster/NodeEntry.hpp"

namespace ct::cluster {

enum class RoomRoute {
  host,     // this node is the room's home
  relay,    // signaling goes to the home node, and the media there too
  cascade,  // the room is served here too, linked to the home node
};

// `cascade_enabled` is the node's --cascade setting. A draining node serves
// no new part of any room.
RoomRoute route_room(const NodeEntry& self, const NodeEntry& home, bool cascade_enabled);
std::string_view to_string(RoomRoute route);

}  // namespace ct::cluster
