#pragma once
// A publication's packets going on to another node (a cascade link), once
// for all of that node's subscribers: the relay sees every new media packet
// of every layer (RTX unwrapped, duplicates and muted packets left out),
// before the fan-out to local subscribers, and picks nothing itself (the
// other node's subscriptions pick layers there).
#include <cstddef>

#include "core/Clock.hpp"

namespace ct::rtp {
class RtpPacket;
}

namespace ct::sfu {

class Publication;

class PublicationRelay {
 public:
  virtual ~PublicationRelay() = default;
  virtual void on_relay_packet(const rtp::RtpPacket& packet, size_t layer, TimePoint now) = 0;
  // `publication` is going away (unpublished, its publisher left): forget it.
  virtual void on_relay_closed(Publication& publication) = 0;
};

}  // namespace ct::sfu
