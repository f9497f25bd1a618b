#include "cluster/RedisClusterStore.hpp"

namespace ct::cluster {

namespace {

const std::string kNodes = "ciphertalk:nodes";
std::string node_key(const std::string& id) { return "ciphertalk:node:" + id; }
std::string room_key(const std::string& room) { return "ciphertalk:room:" + room; }

constexpr const char* kTakeOver =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";
constexpr const char* kRelease =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

}  // namespace

RedisClusterStore::RedisClusterStore(RedisUrl url, std::chrono::milliseconds timeout)
    : redis_(std::move(url), timeout) {}

void RedisClusterStore::register_node(const NodeEntry& self, std::chrono::seconds ttl) {
  redis_.command_or_throw({"SET", node_key(self.id), self.to_json(), "EX", std::to_string(ttl.count())});
  redis_.command_or_throw({"SADD", kNodes, self.id});
}

void RedisClusterStore::unregister_node(const std::string& id) {
  redis_.command_or_throw({"DEL", node_key(id)});
  redis_.command_or_throw({"SREM", kNodes, id});
}

std::vector<NodeEntry> RedisClusterStore::live_nodes() {
  RedisReply ids = redis_.command_or_throw({"SMEMBERS", kNodes});
  std::vector<NodeEntry> out;
  if (ids.type != RedisReply::Type::array || ids.elements.empty()) return out;
  std::vector<std::string> mget{"MGET"};
  for (const auto& id : ids.elements) mget.push_back(node_key(id.text));
  RedisReply entries = redis_.command_or_throw(mget);
  if (entries.type != RedisReply::Type::array || entries.elements.size() != ids.elements.size())
    throw ClusterStoreError("redis: MGET answered " + std::to_string(entries.elements.size()) + " of " +
                            std::to_string(ids.elements.size()) + " keys");
  for (size_t i = 0; i < entries.elements.size(); ++i) {
    const auto& e = entries.elements[i];
    if (e.type == RedisReply::Type::nil) {
      redis_.command_or_throw({"SREM", kNodes, ids.elements[i].text});  // expired: the node is dead
      continue;
    }
    auto entry = NodeEntry::parse(e.text);
    if (entry && entry->id == ids.elements[i].text) out.push_back(std::move(*entry));
  }
  return out;
}

std::optional<std::string> RedisClusterStore::room_owner(const std::string& room) {
  RedisReply r = redis_.command_or_throw({"GET", room_key(room)});
  if (r.type != RedisReply::Type::string) return std::nullopt;
  return r.text;
}

bool RedisClusterStore::claim_room(const std::string& room, const std::string& node) {
  return redis_.command_or_throw({"SET", room_key(room), node, "NX"}).type == RedisReply::Type::status;
}

bool RedisClusterStore::take_over_room(const std::string& room, const std::string& from,
                                       const std::string& to) {
  return redis_.command_or_throw({"EVAL", kTakeOver, "1", room_key(room), from, to}).integer == 1;
}

void RedisClusterStore::release_room(const std::string& room, const std::string& node) {
  redis_.command_or_throw({"EVAL", kRelease, "1", room_key(room), node});
}

}  // namespace ct::cluster
