#include "cascade/CascadePortLink.hpp"

#include "cascade/CascadePort.hpp"

namespace ct::cascade {

bool CascadePortLink::send_link_rtp(std::span<const uint8_t> packet) {
  return port_.send_rtp(link_id_, packet);
}

bool CascadePortLink::send_link_rtcp(std::span<const uint8_t> packet) {
  return port_.send_rtcp(link_id_, packet);
}

}  // namespace ct::cascade
