#include "cluster/RoomNodesStore.hpp"

#include "cluster/ClusterStore.hpp"

namespace ct::cluster {

namespace {

std::string nodes_key(const std::string& room) { return "ciphertalk:room:" + room + ":nodes"; }

}  // namespace

RoomNodesStore::RoomNodesStore(RedisUrl url, std::chrono::milliseconds timeout)
    : redis_(std::move(url), timeout) {}

void RoomNodesStore::set(const std::string& room, const std::string& node, const LinkAddress& link) {
  redis_.command_or_throw({"HSET", nodes_key(room), node, to_string(link)});
  redis_.command_or_throw({"EXPIRE", nodes_key(room), std::to_string(kExpiry.count())});
}

void RoomNodesStore::remove(const std::string& room, const std::string& node) {
  redis_.command_or_throw({"HDEL", nodes_key(room), node});
}

std::vector<std::pair<std::string, std::string>> RoomNodesStore::fields(const std::string& room) {
  RedisReply r = redis_.command_or_throw({"HGETALL", nodes_key(room)});
  std::vector<std::pair<std::string, std::string>> out;
  if (r.type != RedisReply::Type::array) return out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
    out.emplace_back(r.elements[i].text, r.elements[i + 1].text);
  return out;
}

}  // namespace ct::cluster
