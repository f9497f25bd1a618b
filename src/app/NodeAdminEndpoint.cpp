#include "app/NodeAdminEndpoint.hpp"

#include <nlohmann/json.hpp>
#include <optional>

#include "core/Clock.hpp"
#include "http/HttpServer.hpp"
#include "signal/AccessToken.hpp"

namespace ct::app {

namespace {

http::HttpResponse error(int status, std::string_view code, std::string_view message) {
  return http::HttpResponse::json(status, nlohmann::json{{"code", code}, {"message", message}}.dump());
}

// The request's token, if it grants what `allowed` asks and the address is
// within its rate; otherwise answers 429/401/403 itself.
template <class Allowed>
bool authorized(signal::ApiRateLimiter& limiter, const signal::AccessTokenVerifier& verifier,
                const http::HttpRequest& request, const http::Responder& respond, const char* grant,
                Allowed allowed) {
  if (unsigned wait = limiter.retry_after(request.remote_ip, Clock::now())) {
    auto r = error(429, "rate_limited", "too many node requests from your address; slow down");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    respond(std::move(r));
    return false;
  }
  constexpr std::string_view kBearer = "Bearer ";
  const std::string& header = request.header("authorization");
  if (!std::string_view(header).starts_with(kBearer)) {
    respond(error(401, "unauthorized", "send an access token as 'Authorization: Bearer <token>'"));
    return false;
  }
  auto result =
      verifier.verify(std::string_view(header).substr(kBearer.size()), std::chrono::system_clock::now());
  if (!result) {
    respond(error(401, signal::to_string(result.error()), "the access token was refused"));
    return false;
  }
  if (!allowed(result.value().grants)) {
    respond(error(403, "permission_denied", std::string("the token lacks the ") + grant + " grant"));
    return false;
  }
  return true;
}

std::string status_json(const NodeRouter::Status& s) {
  return nlohmann::json{{"node", s.node_id},
                        {"region", s.region},
                        {"cluster", s.cluster},
                        {"redis_up", s.redis_up},
                        {"draining", s.draining}}
      .dump();
}

}  // namespace

NodeAdminEndpoint::NodeAdminEndpoint(const signal::AccessTokenVerifier& verifier, const NodeRouter& node,
                                     std::function<void()> drain)
    : verifier_(verifier), node_(node), drain_(std::move(drain)) {}

void NodeAdminEndpoint::install(http::HttpServer& server) {
  server.add_route("GET", "/admin/node", [this](http::HttpRequest req, http::Responder respond) {
    if (!authorized(limiter_, verifier_, req, respond, "roomList",
                    [](const signal::VideoGrants& g) { return g.room_list; }))
      return;
    respond(http::HttpResponse::json(200, status_json(node_.status())));
  });
  server.add_route("POST", "/admin/node/drain", [this](http::HttpRequest req, http::Responder respond) {
    if (!authorized(limiter_, verifier_, req, respond, "roomCreate",
                    [](const signal::VideoGrants& g) { return g.room_create; }))
      return;
    drain_();
    auto status = node_.status();
    status.draining = true;  // begins on the front thread right after this answer
    respond(http::HttpResponse::json(202, status_json(status)));
  });
}

}  // namespace ct::app
