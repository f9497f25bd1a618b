#include "http/OpenConnections.hpp"

namespace ct::http {

uint64_t OpenConnections::add(std::weak_ptr<HttpConnection> connection) {
  std::lock_guard lock(mutex_);
  const uint64_t id = next_id_++;
  connections_.emplace(id, std::move(connection));
  return id;
}

void OpenConnections::remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

size_t OpenConnections::count() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::vector<std::shared_ptr<HttpConnection>> OpenConnections::snapshot() const {
  std::vector<std::shared_ptr<HttpConnection>> open;
  std::lock_guard lock(mutex_);
  open.reserve(connections_.size());
  for (const auto& [id, weak] : connections_) {
    if (auto connection = weak.lock()) open.push_back(std::move(connection));
  }
  return open;
}

}  // namespace ct::http
