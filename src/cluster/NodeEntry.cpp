#include "cluster/NodeEntry.hpp"

#include <nlohmann/json.hpp>

namespace ct::cluster {

double NodeEntry::load() const {
  if (capacity == 0) return participants == 0 ? 0.0 : 1.0;
  return double(participants) / double(capacity);
}

bool NodeEntry::load_is_fresh(int64_t now_ms, int64_t max_age_ms) const {
  return updated_ms == 0 || now_ms - updated_ms <= max_age_ms;
}

std::string NodeEntry::rtc_url() const {
  std::string_view u = url;
  std::string scheme = u.starts_with("https://") ? "wss://" : "ws://";
  u.remove_prefix(u.find("://") + 3);
  while (u.ends_with('/')) u.remove_suffix(1);
  return scheme + std::string(u) + "/rtc";
}

std::string NodeEntry::to_json() const {
  nlohmann::json j = {{"id", id},
                      {"url", url},
                      {"region", region},
                      {"capacity", capacity},
                      {"participants", participants},
                      {"rooms", rooms},
                      {"packets_per_second", packets_per_second},
                      {"cpu", cpu},
                      {"draining", draining},
                      {"updated_ms", updated_ms}};
  return j.dump();
}

std::optional<NodeEntry> NodeEntry::parse(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  NodeEntry e;
  auto text = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) out = it->get<std::string>();
  };
  auto count = [&](const char* key, size_t& out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number_unsigned()) out = it->get<size_t>();
  };
  auto real = [&](const char* key, double& out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number() && it->get<double>() >= 0) out = it->get<double>();
  };
  text("id", e.id);
  text("url", e.url);
  text("region", e.region);
  count("capacity", e.capacity);
  count("participants", e.participants);
  count("rooms", e.rooms);
  real("packets_per_second", e.packets_per_second);
  real("cpu", e.cpu);
  if (auto it = j.find("updated_ms"); it != j.end() && it->is_number_integer() && it->get<int64_t>() > 0)
    e.updated_ms = it->get<int64_t>();
  if (auto it = j.find("draining"); it != j.end() && it->is_boolean()) e.draining = it->get<bool>();
  std::string_view u = e.url;
  bool http = (u.starts_with("http://") && u.size() > 7) || (u.starts_with("https://") && u.size() > 8);
  if (e.id.empty() || !http) return std::nullopt;
  return e;
}

}  // namespace ct::cluster
