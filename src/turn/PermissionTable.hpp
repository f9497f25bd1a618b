#pragma once
// An allocation's permissions (RFC 8656 §9): peer IP addresses (ports do not
// matter) the relay exchanges data with, each with its own expiry. A handful
// per allocation, so a flat vector beats a hash table on the packet path.
#include <cstddef>
#include <vector>

#include "core/Clock.hpp"
#include "net/SocketAddress.hpp"

namespace ct::turn {

struct Permission {
  net::SocketAddress ip;  // port zeroed
  TimePoint expires;
  // Granted only because one endpoint of this host is on the allow-list:
  // every packet must then match that exact address:port.
  bool endpoint_only = false;
};

class PermissionTable {
 public:
  // Installs or refreshes (RFC 8656 §9.2). False if a new entry would exceed `limit`.
  bool install(const net::SocketAddress& peer, TimePoint expires, bool endpoint_only, size_t limit);
  // The live permission for the peer's IP, or nullptr.
  const Permission* find(const net::SocketAddress& peer, TimePoint now) const;
  void expire(TimePoint now);
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Permission> entries_;
};

}  // namespace ct::turn
