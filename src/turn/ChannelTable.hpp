#pragma once
// An allocation's channel bindings (RFC 8656 §12): channel number <-> peer
// transport address, both unique within the allocation. An expired binding
// keeps its number and peer locked for 5 more minutes (§12: neither may be
// rebound to something else in that time) but carries no data.
#include <cstdint>
#include <vector>

#include "core/Clock.hpp"
#include "net/SocketAddress.hpp"

namespace ct::turn {

struct ChannelBinding {
  uint16_t channel = 0;
  net::SocketAddress peer;
  TimePoint expires;
};

enum class BindResult : uint8_t { Bound, Conflict, Full };

class ChannelTable {
 public:
  static constexpr std::chrono::seconds kRebindQuarantine{300};

  // Binds or refreshes (RFC 8656 §12.2). Conflict when the number is bound to
  // another peer or the peer to another number (400 Bad Request).
  BindResult bind(uint16_t channel, const net::SocketAddress& peer, TimePoint expires, TimePoint now, size_t limit);
  const ChannelBinding* find_by_channel(uint16_t channel, TimePoint now) const;
  const ChannelBinding* find_by_peer(const net::SocketAddress& peer, TimePoint now) const;
  // Drops bindings whose quarantine is over.
  void expire(TimePoint now);
  size_t size() const { return entries_.size(); }

 private:
  std::vector<ChannelBinding> entries_;
};

}  // namespace ct::turn
