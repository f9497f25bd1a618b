#pragma once
// What one /rtc connection (RtcSession) asks of the service that runs it
// (RtcService): its settings, token checks, room placement, the connection
// caps, the reconnect window and the counters. Sessions call up through this
// interface only, so the service's header is never included from below.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "signal/AccessToken.hpp"
#include "signal/JoinRoute.hpp"
#include "signal/RelayedSessions.hpp"
#include "signal/RtcServiceConfig.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::sfu {
class MediaWorker;
}

namespace ct::signal {

class ParticipantMover;

class RtcSessionListener {
 public:
  virtual ~RtcSessionListener() = default;

  virtual const RtcServiceConfig& config() const = 0;
  virtual const AccessTokenVerifier& verifier() const = 0;
  // iceServers for one participant: fresh TURN credentials bound to its identity.
  virtual std::vector<IceServer> ice_servers_for(const std::string& identity) const = 0;
  // The media worker that hosts `room`.
  virtual sfu::MediaWorker& worker_for(const std::string& room) const = 0;

  // Connection caps: acquire on accept (false: over a cap), release on close.
  virtual bool acquire_connection(const std::string& ip) = 0;
  virtual void release_connection(const std::string& ip) = 0;

  // Reconnect window: a dropped connection leaves the participant in its room
  // until the timer started with note_disconnect's generation still finds it
  // current; note_connect (a resume or rejoin) cancels the removal.
  virtual uint64_t note_disconnect(const std::string& room, const std::string& identity) = 0;
  virtual bool is_current_disconnect(const std::string& room, const std::string& identity,
                                     uint64_t generation) = 0;
  virtual void note_connect(const std::string& room, const std::string& identity) = 0;

  // Scale-out and drain: when routes_joins(), each join whose token checks
  // out asks route_join where it goes; otherwise every join is local.
  virtual bool routes_joins() const { return false; }
  virtual void route_join(const std::string& /*room*/, bool /*resume*/, std::function<void(JoinRoute)> done) {
    done(JoinRoute{});
  }

  // What a relay to another node sends along (X-CipherTalk-Relay) so that
  // node counts and logs the client's address rather than this node's.
  virtual std::string relay_credential(const std::string& /*client_ip*/) const { return {}; }

  // Moves between rooms (breakout rooms, the API's move); knows every joined connection.
  virtual ParticipantMover& mover() = 0;
  // The connections relayed to other nodes, for a drain to send to their hosting nodes.
  virtual RelayedSessions& relayed() = 0;

  virtual void count_message() = 0;
  virtual void count_error(std::string_view code) = 0;
  virtual void count_close(std::string_view reason) = 0;
  // A request of type `type` (Request::index()) took `elapsed` from its
  // arrival to the end of its work. Called from any thread (media workers too).
  virtual void observe_request(size_t /*type*/, Duration /*elapsed*/) {}
};

}  // namespace ct::signal
