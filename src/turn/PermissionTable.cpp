#include "turn/PermissionTable.hpp"

#include <algorithm>

namespace ct::turn {
namespace {

net::SocketAddress ip_only(const net::SocketAddress& a) {
  auto ip = a.unmapped();
  ip.set_port(0);
  return ip;
}

}  // namespace

bool PermissionTable::install(const net::SocketAddress& peer, TimePoint expires, bool endpoint_only, size_t limit) {
  auto ip = ip_only(peer);
  for (auto& p : entries_) {
    if (p.ip == ip) {
      p.expires = expires;
      // A later grant for the whole host widens an endpoint-only one, never the reverse.
      p.endpoint_only = p.endpoint_only && endpoint_only;
      return true;
    }
  }
  if (entries_.size() >= limit) return false;
  entries_.push_back({ip, expires, endpoint_only});
  return true;
}

const Permission* PermissionTable::find(const net::SocketAddress& peer, TimePoint now) const {
  auto ip = ip_only(peer);
  for (const auto& p : entries_)
    if (p.ip == ip) return p.expires > now ? &p : nullptr;
  return nullptr;
}

void PermissionTable::expire(TimePoint now) {
  std::erase_if(entries_, [now](const Permission& p) { return p.expires <= now; });
}

}  // namespace ct::turn
