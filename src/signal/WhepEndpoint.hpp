#pragma once
// WHEP playback (draft-ietf-wish-whep, docs/api.md "WHEP"): any WHEP player
// (GStreamer's whepsrc or webrtcbin, a browser page) plays one participant's
// tracks without the signaling protocol.
//
//   POST   /whep/{room}/{participant}            SDP offer to receive
//                                                (application/sdp) with
//                                                `Authorization: Bearer <token>`
//                                                (canSubscribe in that room):
//                                                201 Created with the answer,
//                                                Location, ETag, Link (ICE servers)
//   PATCH  /whep/{room}/{participant}/{session}  trickle ICE or ICE restart
//                                                (application/trickle-ice-sdpfrag)
//   DELETE /whep/{room}/{participant}/{session}  ends the session
//
// The player becomes a hidden participant of kind "whep" (identity: the
// token's, with "-whep-" and a random suffix, so one token serves many
// players): nobody sees it in the call, the room service API lists it. The
// server answers the player's offer with the participant's tracks, one per
// offered m-section of the kind and codec. The session ends when its
// transport never connects or fails; the session URL is an unguessable
// capability, so PATCH and DELETE need no token.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/HttpHandler.hpp"
#include "signal/HttpSdpSessionRegistry.hpp"

namespace ct::http {
class HttpServer;
}

namespace ct::signal {

class RtcSessionListener;

class WhepEndpoint {
 public:
  // Requests per client address; trickle ICE sends a PATCH per few candidates.
  static constexpr double kRequestsPerSecond = 5;
  static constexpr double kRequestBurst = 40;

  using Stats = HttpSdpSessionRegistry::Stats;  // live sessions, answered requests by status

  struct Target {
    std::string room, participant;
    std::string session;  // empty: the WHEP endpoint of the participant itself
  };

  // `service` (token checks, ICE servers, room placement) must outlive the routes.
  explicit WhepEndpoint(const RtcSessionListener& service);
  ~WhepEndpoint();
  WhepEndpoint(const WhepEndpoint&) = delete;
  WhepEndpoint& operator=(const WhepEndpoint&) = delete;

  void install(http::HttpServer& server);
  Stats stats() const;

  // "/whep/{room}/{participant}" or ".../{session}" (a path as the server
  // decoded it: names holding '/' cannot be played); nothing for another path.
  static std::optional<Target> parse_path(std::string_view path);
  // The path of a session's resource, room and participant percent-encoded.
  static std::string location(std::string_view room, std::string_view participant, std::string_view session);
  // The HTTP status for an error the room gives the offer.
  static int status_of(std::string_view code);

 private:
  friend class HttpSdpSessionRegistry;  // routes POSTs to post_offer
  void post_offer(http::HttpRequest request, http::Responder respond) const;

  const RtcSessionListener& service_;
  std::shared_ptr<HttpSdpSessionRegistry> sessions_;  // also the routes', which may outlive this
};

}  // namespace ct::signal
