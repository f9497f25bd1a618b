#pragma once
// One room's link as the SFU sends on it: a link id on this worker's
// cascade socket. What the SFU hands it is sealed with the link's keys and
// leaves with the socket's next flush.
#include <cstdint>
#include <span>

#include "sfu/CascadeLinkSender.hpp"

namespace ct::cascade {

class CascadePort;

class CascadePortLink final : public sfu::CascadeLinkSender {
 public:
  // `port` outlives this; `link_id` is this node's id of the link on it.
  CascadePortLink(CascadePort& port, uint32_t link_id) : port_(port), link_id_(link_id) {}

  bool send_link_rtp(std::span<const uint8_t> packet) override;
  bool send_link_rtcp(std::span<const uint8_t> packet) override;
  uint32_t link_id() const { return link_id_; }

 private:
  CascadePort& port_;
  uint32_t link_id_;
};

}  // namespace ct::cascade
