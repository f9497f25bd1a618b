#pragma once
// The cluster's state in Redis. Keys:
//   ciphertalk:node:<id>   a node's entry (NodeEntry JSON), with a TTL
//   ciphertalk:nodes       the set of node ids that registered (entries that
//                          expired are dropped from it when seen)
//   ciphertalk:room:<name> the id of the node that hosts the room
// Claims are SET NX; moving or dropping a claim is a compare-and-set in Lua,
// so it happens only while the expected node still holds it.
#include "cluster/ClusterStore.hpp"
#include "cluster/RedisConnection.hpp"

namespace ct::cluster {

class RedisClusterStore final : public ClusterStore {
 public:
  RedisClusterStore(RedisUrl url, std::chrono::milliseconds timeout);

  void register_node(const NodeEntry& self, std::chrono::seconds ttl) override;
  void unregister_node(const std::string& id) override;
  std::vector<NodeEntry> live_nodes() override;
  std::optional<std::string> room_owner(const std::string& room) override;
  bool claim_room(const std::string& room, const std::string& node) override;
  bool take_over_room(const std::string& room, const std::string& from, const std::string& to) override;
  void release_room(const std::string& room, const std::string& node) override;

 private:
  RedisConnection redis_;
};

}  // namespace ct::cluster
