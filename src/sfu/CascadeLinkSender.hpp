#pragma once
// One room's cascade link to another node, as the SFU sees it: plain RTP and
// RTCP in, sealed with the link's own keys and sent by whoever owns the link
// socket (the cascade layer's CascadePort).
#include <cstdint>
#include <span>

namespace ct::sfu {

class CascadeLinkSender {
 public:
  virtual ~CascadeLinkSender() = default;
  // False when the packet could not be sent (no such link, malformed, too long).
  virtual bool send_link_rtp(std::span<const uint8_t> packet) = 0;
  virtual bool send_link_rtcp(std::span<const uint8_t> packet) = 0;
};

}  // namespace ct::sfu
