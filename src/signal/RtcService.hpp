#pragma once
// The /rtc signaling endpoint: WebSocket sessions (RtcSession), their shared
// settings, token checking, room placement on media workers, per-address
// connection caps and the reconnect window. Lives on the HTTP front thread.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "signal/AccessToken.hpp"
#include "signal/ParticipantMover.hpp"
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

  const RtcServiceConfig& config() const override { return config_; }
  const AccessTokenVerifier& verifier() const override { return verifier_; }
  std::vector<IceServer> ice_servers_for(const std::string& identity) const override;
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
  };
  Stats stats() const;
  ParticipantMover& mover() override { return *mover_; }

  void count_message() override;
  void count_error(std::string_view code) override;
  void count_close(std::string_view reason) override;

 private:
  RtcServiceConfig config_;
  AccessTokenVerifier verifier_;
  std::vector<sfu::MediaWorker*> workers_;
  mutable std::mutex mutex_;  // signaling bookkeeping only; never on the media path
  std::map<std::string, size_t> connections_per_ip_;  // by address block (connection_key)
  Stats stats_;
  std::map<std::string, uint64_t> disconnect_generation_;
  uint64_t next_generation_ = 1;
  std::unique_ptr<ParticipantMover> mover_;  // signs with the first API key
};

}  // namespace ct::signal
