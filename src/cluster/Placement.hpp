#pragma once
// Which node a new room goes to: the least-loaded live node that is not
// draining, among those in the preferred region when any of them can take it.
#include <optional>
#include <span>
#include <string_view>

#include "cluster/NodeEntry.hpp"

namespace ct::cluster {

// Least load (participants / capacity) first, then fewest rooms, then the
// lower CPU, then the id (so every node that runs this picks the same one).
// A node at or over its capacity is chosen only when every node is. Nothing
// when no node can take a room.
std::optional<NodeEntry> choose_node(std::span<const NodeEntry> live, std::string_view preferred_region);

}  // namespace ct::cluster
