#include "cascade/CascadeFanout.hpp"

#include <algorithm>

namespace ct::cascade {

namespace {

const std::vector<std::string> kNone;

size_t index_of(const std::vector<std::string>& nodes, std::string_view node) {
  return static_cast<size_t>(std::find(nodes.begin(), nodes.end(), node) - nodes.begin());
}

}  // namespace

bool CascadeFanout::add_subscriber(std::string_view track, std::string_view node) {
  auto it = tracks_.find(track);
  if (it == tracks_.end()) it = tracks_.emplace(std::string(track), Track{}).first;
  Track& t = it->second;
  size_t i = index_of(t.nodes, node);
  if (i < t.nodes.size()) {
    ++t.subscribers[i];
    return false;
  }
  t.nodes.emplace_back(node);
  t.subscribers.push_back(1);
  return true;
}

bool CascadeFanout::remove_subscriber(std::string_view track, std::string_view node) {
  auto it = tracks_.find(track);
  if (it == tracks_.end()) return false;
  Track& t = it->second;
  size_t i = index_of(t.nodes, node);
  if (i == t.nodes.size()) return false;
  if (--t.subscribers[i] > 0) return false;
  t.nodes.erase(t.nodes.begin() + static_cast<std::ptrdiff_t>(i));
  t.subscribers.erase(t.subscribers.begin() + static_cast<std::ptrdiff_t>(i));
  if (t.nodes.empty()) tracks_.erase(it);
  return true;
}

bool CascadeFanout::set_subscribers(std::string_view track, std::string_view node, size_t subscribers) {
  auto it = tracks_.find(track);
  if (subscribers == 0) {
    if (it == tracks_.end()) return false;
    size_t i = index_of(it->second.nodes, node);
    if (i == it->second.nodes.size()) return false;
    it->second.subscribers[i] = 1;
    return remove_subscriber(track, node);
  }
  bool started = add_subscriber(track, node);
  Track& t = tracks_.find(track)->second;
  t.subscribers[index_of(t.nodes, node)] = subscribers;
  return started;
}

std::vector<std::string> CascadeFanout::remove_node(std::string_view node) {
  std::vector<std::string> stopped;
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    Track& t = it->second;
    size_t i = index_of(t.nodes, node);
    if (i < t.nodes.size()) {
      stopped.push_back(it->first);
      t.nodes.erase(t.nodes.begin() + static_cast<std::ptrdiff_t>(i));
      t.subscribers.erase(t.subscribers.begin() + static_cast<std::ptrdiff_t>(i));
    }
    it = t.nodes.empty() ? tracks_.erase(it) : std::next(it);
  }
  return stopped;
}

std::vector<std::string> CascadeFanout::remove_track(std::string_view track) {
  auto it = tracks_.find(track);
  if (it == tracks_.end()) return {};
  std::vector<std::string> nodes = std::move(it->second.nodes);
  tracks_.erase(it);
  return nodes;
}

const std::vector<std::string>& CascadeFanout::nodes_of(std::string_view track) const {
  auto it = tracks_.find(track);
  return it == tracks_.end() ? kNone : it->second.nodes;
}

size_t CascadeFanout::streams_to(std::string_view node) const {
  size_t n = 0;
  for (const auto& [track, t] : tracks_) n += index_of(t.nodes, node) < t.nodes.size() ? 1 : 0;
  return n;
}

size_t CascadeFanout::streams() const {
  size_t n = 0;
  for (const auto& [track, t] : tracks_) n += t.nodes.size();
  return n;
}

}  // namespace ct::cascade
