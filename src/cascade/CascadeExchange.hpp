#pragma once
// One turn of the control channel between two nodes of a room
// (docs/api.md, "Between nodes"): the sender's link offer, where its link
// socket is, and its part of the room as control messages; the answer has
// the same shape from the other node. Both are JSON; another node is a
// peer, not a trusted party, so parse bounds every size and checks every field.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cascade/CascadeLinkOffer.hpp"
#include "cascade/CascadeMessage.hpp"
#include "net/SocketAddress.hpp"

namespace ct::cascade {

struct CascadeExchange {
  static constexpr size_t kMaxBody = 4 * 1024 * 1024;
  static constexpr size_t kMaxMessages = 10000;
  static constexpr size_t kMaxName = 256;  // room and node names

  std::string room;
  std::string node;            // the sender's node id
  net::SocketAddress address;  // its link socket, an IP address and port
  CascadeLinkOffer offer;
  std::vector<CascadeMessage> messages;
};

std::string to_json(const CascadeExchange& exchange);
// Nothing for anything but one well-formed exchange within the limits.
std::optional<CascadeExchange> parse_cascade_exchange(std::string_view json);

}  // namespace ct::cascade
