#pragma once
// What WHIP (RFC 9725) and WHEP share as HTTP endpoints, so each keeps only
// how it publishes or plays: the routes under its prefix (404 for other
// paths, the rate limit per client address, 405), the checks of a POST
// before its offer is made (content types, Bearer token, grants), the live
// sessions by id (a session the room removes, e.g. one that never
// connected, leaves with it), PATCH (trickle ICE, ICE restart) and DELETE of
// a session, and the answered requests counted by status. Shared by the HTTP
// threads and the media workers' callbacks, so it locks; never on the media path.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "http/HttpHandler.hpp"
#include "signal/AccessToken.hpp"
#include "signal/ApiRateLimiter.hpp"
#include "signal/HttpSdpSession.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::http {
class HttpServer;
}

namespace ct::signal {

class HttpSdpSessionRegistry : public std::enable_shared_from_this<HttpSdpSessionRegistry> {
 public:
  static constexpr size_t kSessionIdLength = 32;

  struct Stats {
    size_t sessions = 0;                       // live sessions
    std::map<std::string, uint64_t> requests;  // answered requests, by HTTP status ("201", "415", ...)
  };

  // A path under the prefix: the room, and the session (empty: the endpoint
  // that takes offers).
  struct Address {
    std::string room, session;
  };
  using ParsePath = std::function<std::optional<Address>(std::string_view path)>;
  using PostOffer = std::function<void(http::HttpRequest, http::Responder)>;
  using Grants = std::function<bool(const VideoGrants&)>;

  struct Config {
    std::string protocol;                        // "WHIP", "WHEP": names the endpoint in answers and logs
    double requests_per_second = 5, burst = 40;  // per client address
    std::string paths;                           // the 404 message for a path `parse` refuses
    ParsePath parse;
    PostOffer post_offer;  // a POST on an endpoint (not a session) of the prefix
  };

  static std::shared_ptr<HttpSdpSessionRegistry> make(Config config);
  // The registry of an HTTP SDP endpoint (WhipEndpoint, WhepEndpoint): its
  // rate limit (kRequestsPerSecond, kRequestBurst), its paths
  // (Endpoint::parse_path gives a target with `room` and `session`) and its
  // POST (post_offer, for which the endpoint befriends this class). The
  // routes call `endpoint`, which must outlive them taking offers.
  template <class Endpoint>
  static std::shared_ptr<HttpSdpSessionRegistry> for_endpoint(const Endpoint& endpoint, std::string protocol,
                                                              std::string paths) {
    return make({std::move(protocol), Endpoint::kRequestsPerSecond, Endpoint::kRequestBurst, std::move(paths),
                 [](std::string_view path) -> std::optional<Address> {
                   auto target = Endpoint::parse_path(path);
                   if (!target) return std::nullopt;
                   return Address{std::move(target->room), std::move(target->session)};
                 },
                 [&endpoint](http::HttpRequest request, http::Responder respond) {
                   endpoint.post_offer(std::move(request), std::move(respond));
                 }});
  }

  // Routes POST, PATCH and DELETE under `prefix` to handle().
  void install(http::HttpServer& server, const std::string& prefix);
  // Answers a request: 404 for a path `parse` refuses, then 429 beyond the
  // rate (with Retry-After); POST on an endpoint goes to `post_offer`, PATCH
  // and DELETE on a session are answered here; other methods get 405 with
  // Allow. Every answer is counted by status.
  void handle(http::HttpRequest request, http::Responder respond);

  // A POST's checks before its offer is made (RFC 9725 §4.2): 415 unless the
  // offer is application/sdp, 406 when Accept refuses application/sdp, 401
  // without a valid Bearer token, 403 when `allowed` refuses its grants
  // (`refusal` says what it lacks), 400 without a body.
  static std::variant<AccessTokenClaims, http::HttpResponse> check_offer(const http::HttpRequest& request,
                                                                         const AccessTokenVerifier& verifier,
                                                                         const Grants& allowed,
                                                                         std::string_view refusal);
  static std::string new_session_id();

  // Erases a session when its room removed its participant.
  HttpSdpSession::OnRemoved on_removed();
  void add(std::shared_ptr<HttpSdpSession> session);
  void erase(const std::string& id);
  // 201 Created with the answer (HttpSdpResource::created), read under the lock.
  http::HttpResponse created(HttpSdpSession& session, std::string answer_sdp,
                             const std::vector<IceServer>& ice_servers);
  // An error answer of this endpoint: {"code", "message"}.
  static http::HttpResponse error(int status, std::string_view code, std::string_view message);

  size_t sessions() const;
  Stats stats() const;

 private:
  explicit HttpSdpSessionRegistry(Config config);
  std::shared_ptr<HttpSdpSession> find(const Address& address);
  void patch(http::HttpRequest request, http::Responder respond, const Address& address);
  void end(http::Responder respond, const Address& address);
  http::HttpResponse method_not_allowed(std::string_view allow) const;

  const Config config_;
  const std::string log_name_;
  ApiRateLimiter limiter_;
  mutable std::mutex mutex_;  // the sessions, their resources and offers, the counts
  std::unordered_map<std::string, std::shared_ptr<HttpSdpSession>> sessions_;  // by id
  std::map<std::string, uint64_t> requests_;
};

}  // namespace ct::signal
