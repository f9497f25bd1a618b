#pragma once
// WHIP ingest (RFC 9725, docs/api.md "WHIP"): broadcasters (OBS, GStreamer,
// FFmpeg) publish into a room without the signaling protocol.
//
//   POST   /whip/{room}            SDP offer (application/sdp) with
//                                  `Authorization: Bearer <token>` (roomJoin +
//                                  canPublish for that room): 201 Created with
//                                  the answer, Location, ETag, Link (ICE servers)
//   PATCH  /whip/{room}/{session}  trickle ICE or ICE restart
//                                  (application/trickle-ice-sdpfrag): 204, or 200
//                                  with our new ICE fragment
//   DELETE /whip/{room}/{session}  ends the session: the participant leaves
//   OPTIONS                        CORS preflight (the HTTP server answers it)
//
// The session becomes an "ingress" participant with the token's identity:
// listed to everyone, publishing only, with no signaling connection. Its
// media is handled exactly as a browser publisher's. A second POST with the
// same identity replaces the first, as a rejoin does; a session whose
// transport never connects, or fails, ends with it. The session URL is an
// unguessable capability: PATCH and DELETE need no token.
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

class WhipEndpoint {
 public:
  // Requests per client address. Trickle ICE sends a PATCH per few candidates; the burst allows a setup.
  static constexpr double kRequestsPerSecond = 5;
  static constexpr double kRequestBurst = 40;

  using Stats = HttpSdpSessionRegistry::Stats;  // live sessions, answered requests by status

  struct Target {
    std::string room;
    std::string session;  // empty: the WHIP endpoint of the room itself
  };

  // `service` (token checks, ICE servers, room placement) must outlive the routes.
  explicit WhipEndpoint(const RtcSessionListener& service);
  ~WhipEndpoint();
  WhipEndpoint(const WhipEndpoint&) = delete;
  WhipEndpoint& operator=(const WhipEndpoint&) = delete;

  void install(http::HttpServer& server);
  Stats stats() const;

  // "/whip/{room}" or "/whip/{room}/{session}" (a path as the server decoded
  // it: a room name cannot hold '/' here); nothing for any other path.
  static std::optional<Target> parse_path(std::string_view path);
  // The path of a session's resource, the room percent-encoded.
  static std::string location(std::string_view room, std::string_view session);
  // The HTTP status for an error a room gives the offer ("bad_sdp": 400).
  static int status_of(std::string_view code);

 private:
  friend class HttpSdpSessionRegistry;  // routes POSTs to post_offer
  void post_offer(http::HttpRequest request, http::Responder respond) const;

  const RtcSessionListener& service_;
  std::shared_ptr<HttpSdpSessionRegistry> sessions_;  // also the routes', which may outlive this
};

}  // namespace ct::signal
