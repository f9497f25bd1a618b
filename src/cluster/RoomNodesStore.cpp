#include "cluster/RoomNodesStore.hpp"

#include "cluster/ClusterStore.hpp"

namespace ct::cluster {

namespace {

std::string nodes_key(const std::string& room) { return "ciphertalk:room:" + room + ":nodes"; }

}  // namespace

RoomNodesStore::RoomNodesStore(RedisUrl url, std::chrono::milliseconds timeout)
    : redis_(std::move(url), timeout) {}

RedisReply RoomNodesStore::checked(const std::vector<std::string>& args) {
  RedisReply r = redis_.command(args);
  if (r.type == RedisReply::Type::error) throw ClusterStoreError("redis: " + args[0] + ": " + r.text);
  return r;
}

void RoomNodesStore::set(const std::string& room, const std::string& node, const LinkAddress& link) {
  checked({"HSET", nodes_key(room), node, to_string(link)});
  checked({"EXPIRE", nodes_key(room), std::to_string(kExpiry.count())});
}

void RoomNodesStore::remove(const std::string& room, const std::string& node) {
  checked({"HDEL", nodes_key(room), node});
}

std::vector<std::pair<std::string, std::string>> RoomNodesStore::fields(const std::string& room) {
  RedisReply r = checked({"HGETALL", nodes_key(room)});
  std::vector<std::pair<std::string, std::string>> out;
  if (r.type != RedisReply::Type::array) return out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
    out.emplace_back(r.elements[i].text, r.elements[i + 1].text);
  return out;
}

}  // namespace ct::cluster
