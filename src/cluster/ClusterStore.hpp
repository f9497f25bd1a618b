#pragma once
// What the cluster keeps in Redis, as the rest of the cluster layer uses it:
// the node registry and the room -> node claims. RedisClusterStore is the
// real one; unit tests use an in-memory one. Every call may throw
// ClusterStoreError (Redis unreachable, or an answer that makes no sense).
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cluster/NodeEntry.hpp"

namespace ct::cluster {

struct ClusterStoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ClusterStore {
 public:
  virtual ~ClusterStore() = default;

  // Writes (or refreshes) this node's entry; it expires `ttl` after the last write.
  virtual void register_node(const NodeEntry& self, std::chrono::seconds ttl) = 0;
  // Removes this node's entry at once (a clean exit).
  virtual void unregister_node(const std::string& id) = 0;
  // Every node whose entry has not expired.
  virtual std::vector<NodeEntry> live_nodes() = 0;

  // The node that hosts `room`, if any node claimed it.
  virtual std::optional<std::string> room_owner(const std::string& room) = 0;
  // Claims `room` for `node` if no node has: true when this call made the claim.
  virtual bool claim_room(const std::string& room, const std::string& node) = 0;
  // Moves the claim from `from` (a dead node) to `to`, only if `from` still
  // holds it: true when this call moved it.
  virtual bool take_over_room(const std::string& room, const std::string& from, const std::string& to) = 0;
  // Drops the claim, only if `node` holds it.
  virtual void release_room(const std::string& room, const std::string& node) = 0;
};

}  // namespace ct::cluster
