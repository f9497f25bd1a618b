#pragma once
// The hash `ciphertalk:room:<name>:nodes` (RoomNodes.hpp) in Redis: each
// node that serves part of a cascaded room keeps its field there while it
// does. The hash expires a minute after its last write, so a room whose
// nodes all went away leaves nothing behind. Blocking calls: for a thread of
// its own, never the media path or the front thread; they throw
// ClusterStoreError when Redis cannot be reached.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "cluster/RedisConnection.hpp"
#include "cluster/RoomNodes.hpp"

namespace ct::cluster {

class RoomNodesStore {
 public:
  static constexpr std::chrono::seconds kExpiry{60};

  RoomNodesStore(RedisUrl url, std::chrono::milliseconds timeout);

  // `node` serves `room` with its cascade links at `link`.
  void set(const std::string& room, const std::string& node, const LinkAddress& link);
  // `node` serves no more of `room`.
  void remove(const std::string& room, const std::string& node);
  // Every field of the room's hash (peer_room_nodes picks the live ones).
  std::vector<std::pair<std::string, std::string>> fields(const std::string& room);

 private:
  RedisConnection redis_;
};

}  // namespace ct::cluster
