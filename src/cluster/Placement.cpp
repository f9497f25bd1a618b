#include "cluster/Placement.hpp"

#include <tuple>

namespace ct::cluster {

namespace {

bool better(const NodeEntry& a, const NodeEntry& b) {
  bool a_full = a.capacity > 0 && a.participants >= a.capacity;
  bool b_full = b.capacity > 0 && b.participants >= b.capacity;
  return std::tuple(a_full, a.load(), a.rooms, a.cpu, a.id) <
         std::tuple(b_full, b.load(), b.rooms, b.cpu, b.id);
}

const NodeEntry* best(std::span<const NodeEntry> live, std::string_view region) {
  const NodeEntry* pick = nullptr;
  for (const auto& n : live) {
    if (n.draining || (!region.empty() && n.region != region)) continue;
    if (!pick || better(n, *pick)) pick = &n;
  }
  return pick;
}

}  // namespace

std::optional<NodeEntry> choose_node(std::span<const NodeEntry> live, std::string_view preferred_region) {
  const NodeEntry* pick = nullptr;
  if (!preferred_region.empty()) {
    pick = best(live, preferred_region);
    // A full region sends the room elsewhere when another region has room.
    if (pick && pick->capacity > 0 && pick->participants >= pick->capacity) {
      const NodeEntry* any = best(live, {});
      if (any && !(any->capacity > 0 && any->participants >= any->capacity)) pick = any;
    }
  }
  if (!pick) pick = best(live, {});
  if (!pick) return std::nullopt;
  return *pick;
}

std::vector<NodeEntry> with_fresh_load(std::span<const NodeEntry> live,
                                       std::chrono::system_clock::time_point now) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::vector<NodeEntry> fresh;
  for (const auto& n : live)
    if (n.load_is_fresh(now_ms, kMaxLoadAge.count())) fresh.push_back(n);
  if (fresh.empty()) return {live.begin(), live.end()};
  return fresh;
}

}  // namespace ct::cluster
