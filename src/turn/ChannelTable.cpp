#include "turn/ChannelTable.hpp"

#include <algorithm>

namespace ct::turn {

BindResult ChannelTable::bind(uint16_t channel, const net::SocketAddress& peer, TimePoint expires, TimePoint now,
                              size_t limit) {
  auto p = peer.unmapped();
  ChannelBinding* same = nullptr;
  for (auto& b : entries_) {
    bool live_or_quarantined = b.expires + kRebindQuarantine > now;
    if (b.channel == channel && b.peer == p) {
      same = &b;
    } else if (live_or_quarantined && (b.channel == channel || b.peer == p)) {
      return BindResult::Conflict;
    }
  }
  if (same) {
    same->expires = expires;
    return BindResult::Bound;
  }
  expire(now);
  if (entries_.size() >= limit) return BindResult::Full;
  entries_.push_back({channel, p, expires});
  return BindResult::Bound;
}

const ChannelBinding* ChannelTable::find_by_channel(uint16_t channel, TimePoint now) const {
  for (const auto& b : entries_)
    if (b.channel == channel) return b.expires > now ? &b : nullptr;
  return nullptr;
}

const ChannelBinding* ChannelTable::find_by_peer(const net::SocketAddress& peer, TimePoint now) const {
  for (const auto& b : entries_)
    if (b.peer == peer) return b.expires > now ? &b : nullptr;
  return nullptr;
}

void ChannelTable::expire(TimePoint now) {
  std::erase_if(entries_, [now](const ChannelBinding& b) { return b.expires + kRebindQuarantine <= now; });
}

}  // namespace ct::turn
