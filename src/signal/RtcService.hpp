#pragma once
// The /rtc signaling endpoint: WebSocket sessions (RtcSession), their shared
// settings, token checking, room placement on media workers, per-address
// connection caps and the reconnect window. Lives on the HTTP front thread.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "signal/AccessToken.hpp"
#include "signal/HttpServer.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::sfu {
class MediaWorker;
}

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
  size_t max_connections_per_ip = 64;  // per IPv4 address, per IPv6 /64 (one host's usual share)
  size_t max_connections = 10000;     // signaling connections in total
  size_t max_send_queue = 1024;           // messages waiting for a slow client before it is cut
  size_t max_send_queue_bytes = 4 << 20;  // ... or bytes
  // TURN servers handed to each participant in "joined", with short-lived
  // REST credentials (coturn's use-auth-secret scheme) made from `secret`.
  struct TurnOffer {
    std::vector<std::string> urls;  // "turn:host:3478?transport=udp", "turns:host:5349?transport=tcp"
    std::string secret;
    std::chrono::seconds ttl{6 * 3600};
  };
  std::vector<TurnOffer> turn;
};

class RtcService : public std::enable_shared_from_this<RtcService> {
 public:
  RtcService(RtcServiceConfig config, std::vector<sfu::MediaWorker*> workers);
  void install(HttpServer& server);

  const RtcServiceConfig& config() const { return config_; }
  const AccessTokenVerifier& verifier() const { return verifier_; }
  // iceServers for one participant: fresh TURN credentials bound to its identity.
  std::vector<IceServer> ice_servers_for(const std::string& identity) const;
  // Rooms are placed by a hash of their name: every join of one room reaches
  // the same worker with no shared table to keep consistent.
  sfu::MediaWorker& worker_for(const std::string& room) const;

  // Connection caps per client address block and in total (RAII-free pair:
  // acquire on accept, release on close).
  bool acquire_connection(const std::string& ip);
  void release_connection(const std::string& ip);

  // Reconnect window: a dropped connection leaves the participant in its room
  // for `reconnect_window`; a resume within it keeps tracks and subscriptions.
  // Returns the generation the disconnect timer must still see to remove it.
  uint64_t note_disconnect(const std::string& room, const std::string& identity);
  bool is_current_disconnect(const std::string& room, const std::string& identity, uint64_t generation);
  // A new connection for this identity (resume or rejoin): cancels any pending removal.
  void note_connect(const std::string& room, const std::string& identity);

  // Signaling counters for the metrics endpoint.
  struct Stats {
    size_t connections = 0;                  // open WebSocket connections
    uint64_t connections_total = 0;          // accepted since start (refused ones not counted)
    uint64_t messages = 0;                   // messages received
    std::map<std::string, uint64_t> errors;  // error messages sent, by code
    std::map<std::string, uint64_t> closes;  // connections the server closed, by reason
  };
  Stats stats() const;
  void count_message();
  void count_error(std::string_view code);
  void count_close(std::string_view reason);

 private:
  RtcServiceConfig config_;
  AccessTokenVerifier verifier_;
  std::vector<sfu::MediaWorker*> workers_;
  mutable std::mutex mutex_;  // signaling bookkeeping only; never on the media path
  std::map<std::string, size_t> connections_per_ip_;  // by address block (connection_key)
  Stats stats_;
  std::map<std::string, uint64_t> disconnect_generation_;
  uint64_t next_generation_ = 1;
};

}  // namespace ct::signal
