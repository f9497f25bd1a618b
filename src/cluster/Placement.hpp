#pragma once
// Which node a new room goes to: the least-loaded live node that is not
// draining, among those in the preferred region when any of them can take it.
#include <chrono>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cluster/NodeEntry.hpp"

namespace ct::cluster {

// Least load (participants / capacity) first, then fewest rooms, then the
// lower CPU, then the id (so every node that runs this picks the same one).
// A node at or over its capacity is chosen only when every node is. Nothing
// when no node can take a room.
std::optional<NodeEntry> choose_node(std::span<const NodeEntry> live, std::string_view preferred_region);

// A node writes its load every 2 s; one whose load is older than this has
// missed two writes (stuck, or cut off from Redis) though its entry has not
// expired yet, and takes no new rooms while a node with a fresh load can.
constexpr std::chrono::milliseconds kMaxLoadAge{5000};

// The entries whose load is fresh at `now`; all of them when none is.
std::vector<NodeEntry> with_fresh_load(std::span<const NodeEntry> live,
                                       std::chrono::system_clock::time_point now);

}  // namespace ct::cluster
