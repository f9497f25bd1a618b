#pragma once
// The /rtc signaling endpoint: WebSocket sessions (RtcSession), their shared
// settings, token checking, room placement on media workers, per-address
// connection caps and the reconnect window. Lives on the HTTP front thread.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signal/AccessToken.hpp"
#include "signal/ParticipantMover.hpp"
#include "signal/RelayedSessions.hpp"
#include "signal/RequestLatency.hpp"
#include "signal/RtcServiceConfig.hpp"
#include "signal/RtcSessionListener.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::sfu {
class MediaWorker;
}
namespace ct::http {
class HttpServer;
}

namespace ct::signal {

class RtcService final : public RtcSessionListener, public std::enable_shared_from_this<RtcService> {
 public:
  RtcService(RtcServiceConfig config, std::vector<sfu::MediaWorker*> workers);
  void install(http::HttpServer& server);
  // Scale-out and drain (set before install): decides where each join goes.
  void set_join_router(JoinRouter router) { router_ = std::move(router); }
  bool routes_joins() const override { return bool(router_); }
  void route_join(const std::string& room, bool resume, std::function<void(JoinRoute)> done) override {
    router_(room, resume, std::move(done));
  }

  const RtcServiceConfig& config() const override { return config_; }
  const AccessTokenVerifier& verifier() const override { return verifier_; }
  std::vector<IceServer> ice_servers_for(const std::string& identity) const override;
  // Relayed connections: a one-minute token, signed with the first API key
  // (every node of a cluster has the same keys), naming the client's address.
  std::string relay_credential(const std::string& client_ip) const override;
  // The client address a relay credential names, if it checks out.
  std::optional<std::string> relayed_client_ip(std::string_view credential) const;
  // Rooms are placed by a hash of their name: every join of one room reaches
  // the same worker with no shared table to keep consistent.
  sfu::MediaWorker& worker_for(const std::string& room) const override;

  // Connection caps per client address block and in total (RAII-free pair:
  // acquire on accept, release on close).
  bool acquire_connection(const std::string& ip) override;
  void release_connection(const std::string& ip) override;

  // Reconnect window: a dropped connection leaves the participant in its room
  // for `reconnect_window`; a resume within it keeps tracks and subscriptions.
  // Returns the generation the disconnect timer must still see to remove it.
  uint64_t note_disconnect(const std::string& room, const std::string& identity) override;
  bool is_current_disconnect(const std::string& room, const std::string& identity,
                             uint64_t generation) override;
  // A new connection for this identity (resume or rejoin): cancels any pending removal.
  void note_connect(const std::string& room, const std::string& identity) override;

  // Signaling counters for the metrics endpoint.
  struct Stats {
    size_t connections = 0;                  // open WebSocket connections
    uint64_t connections_total = 0;          // accepted since start (refused ones not counted)
    uint64_t messages = 0;                   // messages received
    std::map<std::string, uint64_t> errors;  // error messages sent, by code
    std::map<std::string, uint64_t> closes;  // connections the server closed, by reason
    // Connections refused by the caps: per address block, and in total.
    uint64_t refused_per_ip = 0, refused_total = 0;
  };
  Stats stats() const;
  ParticipantMover& mover() override { return *mover_; }
  RelayedSessions& relayed() override { return relayed_; }

  void count_message() override;
  void count_error(std::string_view code) override;
  void count_close(std::string_view reason) override;
  void observe_request(size_t type, Duration elapsed) override { latency_.observe(type, elapsed); }
  const RequestLatency& request_latency() const { return latency_; }

 private:
  RtcServiceConfig config_;
  JoinRouter router_;
  AccessTokenVerifier verifier_;
  std::vector<sfu::MediaWorker*> workers_;
  mutable std::mutex mutex_;                          // signaling bookkeeping only; never on the media path
  std::map<std::string, size_t> connections_per_ip_;  // by address block (connection_key)
  Stats stats_;
  RequestLatency latency_;
  std::map<std::string, uint64_t> disconnect_generation_;
  uint64_t next_generation_ = 1;
  std::unique_ptr<ParticipantMover> mover_;  // signs with the first API key
  RelayedSessions relayed_;                  // relayed connections, for a drain
};

}  // namespace ct::signal
