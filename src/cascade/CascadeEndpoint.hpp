#pragma once
// This node's ends of its cascade links (one per room and other node), by
// the id this node gave each: a datagram off the link socket finds its link,
// and so its keys, by the id in its frame. Lives on one media worker's
// thread; nothing is allocated per packet.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>

#include "cascade/CascadeFrame.hpp"
#include "cascade/CascadeKeys.hpp"
#include "cascade/CascadeLink.hpp"

namespace ct::cascade {

class CascadeEndpoint {
 public:
  // Bound on the table so a misbehaving peer cannot grow it without limit.
  static constexpr size_t kMaxLinks = 4096;

  struct Counters {
    uint64_t not_cascade = 0;   // datagrams that were no cascade frame
    uint64_t unknown_link = 0;  // frames naming no link of this node
  };
  struct Received {
    uint32_t link_id = 0;  // this node's id of the link
    CascadeKind kind = CascadeKind::rtp;
    std::span<uint8_t> packet;  // plain, in place in the datagram
  };

  // An id no link of this node has: random and never 0, so ids are not
  // guessable from one room to the next.
  uint32_t unused_link_id() const;
  // A link this node knows as `link_id` (from unused_link_id) and the peer as
  // `peer_link_id`. False when the id is 0 or taken, or the table is full.
  bool add_link(uint32_t link_id, uint32_t peer_link_id, const CascadeKeys& send_keys,
                const CascadeKeys& receive_keys);
  bool remove_link(uint32_t link_id);
  CascadeLink* find(uint32_t link_id);
  size_t link_count() const { return links_.size(); }

  // One datagram off the link socket: its link and plain packet, or nothing
  // (not a frame, an unknown link, or one that does not authenticate: the
  // link counts those).
  std::optional<Received> receive(std::span<uint8_t> datagram);
  const Counters& counters() const { return counters_; }

 private:
  std::unordered_map<uint32_t, std::unique_ptr<CascadeLink>> links_;
  Counters counters_;
};

}  // namespace ct::cascade
