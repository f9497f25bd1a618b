#pragma once
// The nodes that serve a cascaded room, as the shared store holds them: a
// hash `ciphertalk:room:<name>:nodes` of node id -> the address its
// cascade links listen on ("host:port", "[v6]:port"). Each node serving the
// room writes its own field and removes it when its part of the room ends;
// a node that died leaves a field behind, which readers skip because the
// node has no live registry entry.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/NodeEntry.hpp"

namespace ct::cluster {

struct LinkAddress {
  std::string host;  // without brackets
  uint16_t port = 0;
  bool operator==(const LinkAddress&) const = default;
};

struct RoomNode {
  std::string id;
  LinkAddress link;
  bool operator==(const RoomNode&) const = default;
};

// "host:port" or "[v6]:port" with a port 1..65535; nothing otherwise.
std::optional<LinkAddress> parse_link_address(std::string_view text);
std::string to_string(const LinkAddress& address);

// The other live nodes serving the room, by id: fields of this node, of
// nodes with no live entry, and with a malformed address are left out.
std::vector<RoomNode> peer_room_nodes(std::span<const std::pair<std::string, std::string>> fields,
                                      std::span<const NodeEntry> live, std::string_view self);

}  // namespace ct::cluster
