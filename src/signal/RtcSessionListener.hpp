#pragma once
// What one /rtc connection (RtcSession) asks of the service that runs it
// (RtcService): its settings, token checks, room placement, the connection
// caps, the reconnect window and the counters. Sessions call up through this
// interface only, so the service's header is never included from below.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signal/AccessToken.hpp"
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

  // Moves between rooms (breakout rooms, the API's move); knows every joined connection.
  virtual ParticipantMover& mover() = 0;

  virtual void count_message() = 0;
  virtual void count_error(std::string_view code) = 0;
  virtual void count_close(std::string_view reason) = 0;
};

}  // namespace ct::signal
