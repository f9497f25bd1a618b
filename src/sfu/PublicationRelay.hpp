#pragma once
// A publication's packets going on to another node (a cascade link), once
// for all of that node's subscribers: the relay sees every new media packet
// of every layer (RTX unwrapped, duplicates and muted packets left out),
// before the fan-out to local subscribers. The other node's subscriptions
// pick layers there; the relay says which layers they may pick among, so
// the publisher keeps those on (Publication::wanted_layers).
#include <cstddef>
#include <cstdint>

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
  // Bit i: layer i is wanted there (every layer by default).
  virtual uint32_t wanted_layers() const { return UINT32_MAX; }
  // `publication` is going away (unpublished, its publisher left): forget it.
  virtual void on_relay_closed(Publication& publication) = 0;
};

}  // namespace ct::sfu
