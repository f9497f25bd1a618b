#pragma once
// Settings of the /rtc signaling service and of each of its connections.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "net/SocketAddress.hpp"

namespace ct::signal {

struct RtcServiceConfig {
  std::map<std::string, std::string> keys;  // API key -> secret
  bool dev = false;                         // enables GET /api/dev/token and join.e2ee.require
  bool e2ee_required = false;               // room.e2ee: required — every room is end-to-end encrypted
  std::chrono::seconds reconnect_window{20};
  std::chrono::seconds auth_timeout{10};  // time to send a valid join after connecting
  size_t max_message_bytes = 64 * 1024;   // larger frames are closed with 1009
  double messages_per_second = 20;        // token bucket per connection
  double message_burst = 60;
  unsigned rate_strikes_before_close = 10;  // refused messages before the connection is cut
  size_t max_connections_per_ip = 64;       // per IPv4 address, per IPv6 /64 (one host's usual share)
  size_t max_connections = 10000;           // signaling connections in total
  size_t max_send_queue = 1024;             // messages waiting for a slow client before it is cut
  size_t max_send_queue_bytes = 4 << 20;    // ... or bytes
  // TURN servers handed to each participant in "joined", with short-lived
  // REST credentials (coturn's use-auth-secret scheme) made from `secret`.
  struct TurnOffer {
    std::vector<std::string> urls;  // "turn:host:3478?transport=udp", "turns:host:5349?transport=tcp"
    std::string secret;
    std::chrono::seconds ttl{6 * 3600};
  };
  std::vector<TurnOffer> turn;
  // STUN/TURN servers of others with fixed credentials (rtc.ice_servers),
  // handed out as they are, after `turn`.
  struct StaticIceServer {
    std::vector<std::string> urls;
    std::string username;
    std::string credential;
  };
  std::vector<StaticIceServer> ice_servers;
  // For get_stats (StatsRequestHandler): whether an address is one of our TURN
  // server's relay sockets, and a thread to render replies on (unset: the worker's).
  std::function<bool(const net::SocketAddress&)> is_turn_relay;
  std::function<void(std::function<void()>)> post_to_front;
};

}  // namespace ct::signal
