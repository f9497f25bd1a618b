#pragma once
// An in-memory ClusterStore for the unit tests: the same contract as Redis
// (claims are first-come, moves compare-and-set), with switches to make it
// unreachable or to let another node win a race.
#include <functional>
#include <map>

#include "cluster/ClusterStore.hpp"

namespace ct::cluster::testing {

class FakeClusterStore : public ClusterStore {
 public:
  bool unreachable = false;
  std::map<std::string, NodeEntry> nodes;    // live entries
  std::map<std::string, std::string> rooms;  // room -> node
  // Runs before each claim: lets a test put a rival's claim in first.
  std::function<void(const std::string& room)> before_claim;
  int calls = 0;

  void register_node(const NodeEntry& self, std::chrono::seconds) override {
    touch();
    nodes[self.id] = self;
  }
  void unregister_node(const std::string& id) override {
    touch();
    nodes.erase(id);
  }
  std::vector<NodeEntry> live_nodes() override {
    touch();
    std::vector<NodeEntry> out;
    for (const auto& [id, n] : nodes) out.push_back(n);
    return out;
  }
  std::optional<std::string> room_owner(const std::string& room) override {
    touch();
    auto it = rooms.find(room);
    if (it == rooms.end()) return std::nullopt;
    return it->second;
  }
  bool claim_room(const std::string& room, const std::string& node) override {
    touch();
    if (before_claim) before_claim(room);
    return rooms.emplace(room, node).second;
  }
  bool take_over_room(const std::string& room, const std::string& from, const std::string& to) override {
    touch();
    if (before_claim) before_claim(room);
    auto it = rooms.find(room);
    if (it == rooms.end() || it->second != from) return false;
    it->second = to;
    return true;
  }
  void release_room(const std::string& room, const std::string& node) override {
    touch();
    auto it = rooms.find(room);
    if (it != rooms.end() && it->second == node) rooms.erase(it);
  }

 private:
  void touch() {
    ++calls;
    if (unreachable) throw ClusterStoreError("unreachable");
  }
};

inline NodeEntry node(std::string id, size_t participants = 0, size_t capacity = 100,
                      std::string region = "") {
  NodeEntry n;
  n.id = std::move(id);
  n.url = "http://127.0.0.1:7880";
  n.capacity = capacity;
  n.participants = participants;
  n.region = std::move(region);
  return n;
}

}  // namespace ct::cluster::testing
