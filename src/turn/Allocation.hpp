#pragma once
// One allocation (RFC 8656 §3.8): a relayed transport address bound to a
// client's 5-tuple, with its permissions, channels, lifetime and credentials.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "stun/StunTypes.hpp"
#include "turn/BandwidthLimiter.hpp"
#include "turn/ChannelTable.hpp"
#include "turn/PermissionTable.hpp"
#include "turn/TurnTransport.hpp"

namespace ct::turn {

struct Allocation {
  FiveTuple tuple;
  std::shared_ptr<ClientConnection> client;
  std::unique_ptr<RelaySocket> relay;
  net::SocketAddress relayed_address;  // as announced in XOR-RELAYED-ADDRESS
  std::string username;                // the REST username that created it (RFC 8656 §5)
  std::string user;                    // its user part, for the per-user quota
  std::array<uint8_t, 16> key{};       // long-term key, for responses
  TimePoint expires;
  // RFC 8656 §7.2: a retransmitted Allocate gets the original answer again.
  stun::TransactionId allocate_transaction{};
  std::vector<uint8_t> allocate_response;
  PermissionTable permissions;
  ChannelTable channels;
  BandwidthLimiter bandwidth;
};

}  // namespace ct::turn
