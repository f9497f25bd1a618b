#pragma once
// One node as the registry holds it: who it is, where clients reach its
// signaling, and its live load. Each node writes its own entry (JSON) under a
// key with a TTL and refreshes it; an entry that expires is a dead node.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ct::cluster {

struct NodeEntry {
  std::string id;
  std::string url;  // the node's HTTP base, e.g. http://10.0.0.5:7880 (its /rtc and /api are under it)
  std::string region;
  size_t capacity = 0;  // participants it is meant to hold
  size_t participants = 0;
  size_t rooms = 0;
  double packets_per_second = 0;  // RTP packets forwarded to subscribers
  double cpu = 0;                 // cores busy, averaged since the last refresh
  bool draining = false;
  int64_t updated_ms = 0;  // when the load was measured (Unix ms); 0: unknown

  // Whether the load was measured within `max_age` of `now_ms` (an entry
  // that does not say when counts as fresh).
  bool load_is_fresh(int64_t now_ms, int64_t max_age_ms) const;

  // participants / capacity: the share of the node in use (a node without a
  // capacity counts as full once it holds anyone).
  double load() const;
  // The node's /rtc as a WebSocket URL (http -> ws, https -> wss).
  std::string rtc_url() const;

  std::string to_json() const;
  // Another node's entry, read back from Redis: nothing unless it is a JSON
  // object with at least a non-empty id and an http(s) url.
  static std::optional<NodeEntry> parse(std::string_view json);
};

}  // namespace ct::cluster
