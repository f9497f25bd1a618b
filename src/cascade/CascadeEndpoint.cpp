#include "cascade/CascadeEndpoint.hpp"

#include "core/Random.hpp"

namespace ct::cascade {

uint32_t CascadeEndpoint::unused_link_id() const {
  for (;;) {
    uint32_t id = random_u32();
    if (id != 0 && !links_.contains(id)) return id;
  }
}

bool CascadeEndpoint::add_link(uint32_t link_id, uint32_t peer_link_id, const CascadeKeys& send_keys,
                               const CascadeKeys& receive_keys) {
  if (link_id == 0 || links_.contains(link_id) || links_.size() >= kMaxLinks) return false;
  links_.emplace(link_id, std::make_unique<CascadeLink>(peer_link_id, send_keys, receive_keys));
  return true;
}

bool CascadeEndpoint::remove_link(uint32_t link_id) { return links_.erase(link_id) > 0; }

CascadeLink* CascadeEndpoint::find(uint32_t link_id) {
  auto it = links_.find(link_id);
  return it == links_.end() ? nullptr : it->second.get();
}

std::optional<CascadeEndpoint::Received> CascadeEndpoint::receive(std::span<uint8_t> datagram) {
  auto frame = parse_cascade_frame(datagram);
  if (!frame) {
    ++counters_.not_cascade;
    return std::nullopt;
  }
  CascadeLink* link = find(frame->link_id);
  if (!link) {
    ++counters_.unknown_link;
    return std::nullopt;
  }
  auto plain = link->open(*frame);
  if (!plain) return std::nullopt;
  return Received{frame->link_id, frame->kind, *plain};
}

}  // namespace ct::cascade
