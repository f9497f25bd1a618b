#include "turn/RelayAddressRegistry.hpp"

namespace ct::turn {
namespace {

// The same family and port with an unspecified IP: how a wildcard-bound socket is registered.
net::SocketAddress wildcard_of(const net::SocketAddress& a) {
  return a.is_v4() ? net::SocketAddress::v4({}, a.port()) : net::SocketAddress::v6({}, a.port());
}

}  // namespace

void RelayAddressRegistry::add(const net::SocketAddress& local) {
  std::lock_guard lock(mutex_);
  ++open_[local.unmapped()];
}

void RelayAddressRegistry::remove(const net::SocketAddress& local) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(local.unmapped());
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

bool RelayAddressRegistry::contains(const net::SocketAddress& remote) const {
  const auto address = remote.unmapped();
  std::lock_guard lock(mutex_);
  return open_.count(address) || open_.count(wildcard_of(address));
}

size_t RelayAddressRegistry::size() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

}  // namespace ct::turn
