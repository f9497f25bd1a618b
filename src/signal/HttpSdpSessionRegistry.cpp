#include "signal/HttpSdpSessionRegistry.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/Clock.hpp"
#include "core/Log.hpp"
#include "core/Random.hpp"
#include "http/HttpServer.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "signal/CandidateRequests.hpp"
#include "signal/JoinRefusalLog.hpp"
#include "signal/SdpFragment.hpp"

namespace ct::signal {

namespace {

// Listed at 0 from the start, so a first one shows as an increase.
constexpr std::string_view kCountedStatuses[] = {"200", "201", "204", "400", "401", "403", "404", "405",
                                                 "406", "409", "412", "415", "422", "429", "500"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

}  // namespace

std::shared_ptr<HttpSdpSessionRegistry> HttpSdpSessionRegistry::make(Config config) {
  return std::shared_ptr<HttpSdpSessionRegistry>(new HttpSdpSessionRegistry(std::move(config)));
}

HttpSdpSessionRegistry::HttpSdpSessionRegistry(Config config)
    : config_(std::move(config)),
      log_name_(lower(config_.protocol)),
      limiter_(config_.requests_per_second, config_.burst) {
  for (auto status : kCountedStatuses) requests_[std::string(status)] = 0;
}

void HttpSdpSessionRegistry::install(http::HttpServer& server, const std::string& prefix) {
  for (const char* method : {"POST", "PATCH", "DELETE"}) {
    server.add_prefix_route(method, prefix,
                            [self = shared_from_this()](http::HttpRequest request, http::Responder respond) {
                              self->handle(std::move(request), std::move(respond));
                            });
  }
}

void HttpSdpSessionRegistry::handle(http::HttpRequest request, http::Responder respond) {
  respond = [self = shared_from_this(), respond = std::move(respond)](http::HttpResponse r) {
    {
      std::lock_guard lock(self->mutex_);
      ++self->requests_[std::to_string(r.status)];
    }
    respond(std::move(r));
  };
  auto address = config_.parse(request.path);
  if (!address) return respond(error(404, "not_found", config_.paths));
  if (address->session.empty() && request.method == "POST")  // an offer is a join: a line when refused
    respond = JoinRefusalLog::logging_refusals(std::move(respond), address->room, request.remote_ip);
  if (unsigned wait = limiter_.retry_after(request.remote_ip, Clock::now())) {
    auto r =
        error(429, "rate_limited", "too many " + config_.protocol + " requests from your address; slow down");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return respond(std::move(r));
  }
  if (address->session.empty()) {
    if (request.method != "POST") return respond(method_not_allowed("POST"));
    return config_.post_offer(std::move(request), std::move(respond));
  }
  if (request.method == "PATCH") return patch(std::move(request), std::move(respond), *address);
  if (request.method == "DELETE") return end(std::move(respond), *address);
  respond(method_not_allowed("PATCH, DELETE"));
}

std::variant<AccessTokenClaims, http::HttpResponse> HttpSdpSessionRegistry::check_offer(
    const http::HttpRequest& request, const AccessTokenVerifier& verifier, const Grants& allowed,
    std::string_view refusal) {
  // RFC 9725 §4.2: the offer is application/sdp, and so is the answer.
  if (!HttpSdpResource::has_content_type(request, HttpSdpResource::kSdpType))
    return error(415, "unsupported_media_type", "send the SDP offer as Content-Type: application/sdp");
  if (!HttpSdpResource::accepts(request, HttpSdpResource::kSdpType))
    return error(406, "not_acceptable", "the answer is application/sdp, which Accept refuses");

  constexpr std::string_view kBearer = "Bearer ";
  const std::string& header = request.header("authorization");
  if (!std::string_view(header).starts_with(kBearer)) {
    auto r = error(401, "unauthorized", "send an access token as 'Authorization: Bearer <token>'");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  auto claims =
      verifier.verify(std::string_view(header).substr(kBearer.size()), std::chrono::system_clock::now());
  if (!claims) return error(401, to_string(claims.error()), "the access token was refused");
  if (!allowed(claims->grants)) return error(403, "permission_denied", refusal);
  if (request.body.empty()) return error(400, "bad_sdp", "the request carries no SDP offer");
  return std::move(claims).value();
}

std::string HttpSdpSessionRegistry::new_session_id() { return random_token(kSessionIdLength); }

HttpSdpSession::OnRemoved HttpSdpSessionRegistry::on_removed() {
  return [weak = weak_from_this(), log_name = log_name_](const std::string& id, std::string_view reason) {
    spdlog::info("{}: session {} ended ({})", log_name, id, reason);
    if (auto self = weak.lock()) self->erase(id);
  };
}

void HttpSdpSessionRegistry::add(std::shared_ptr<HttpSdpSession> session) {
  std::lock_guard lock(mutex_);
  std::string id = session->id();
  sessions_.emplace(std::move(id), std::move(session));
}

void HttpSdpSessionRegistry::erase(const std::string& id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

http::HttpResponse HttpSdpSessionRegistry::created(HttpSdpSession& session, std::string answer_sdp,
                                                   const std::vector<IceServer>& ice_servers) {
  std::lock_guard lock(mutex_);
  return session.resource().created(std::move(answer_sdp), ice_servers);
}

http::HttpResponse HttpSdpSessionRegistry::error(int status, std::string_view code,
                                                 std::string_view message) {
  return HttpSdpResource::error(status, code, message);
}

size_t HttpSdpSessionRegistry::sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

HttpSdpSessionRegistry::Stats HttpSdpSessionRegistry::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{sessions_.size(), requests_};
}

std::shared_ptr<HttpSdpSession> HttpSdpSessionRegistry::find(const Address& address) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(address.session);
  if (it == sessions_.end() || it->second->room() != address.room) return nullptr;
  return it->second;
}

http::HttpResponse HttpSdpSessionRegistry::method_not_allowed(std::string_view allow) const {
  auto r =
      error(405, "method_not_allowed", "this " + config_.protocol + " resource takes " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

void HttpSdpSessionRegistry::patch(http::HttpRequest request, http::Responder respond,
                                   const Address& address) {
  auto session = find(address);
  if (!session)
    return respond(error(404, "session_not_found", "no " + config_.protocol + " session at " + request.path));
  std::variant<HttpSdpResource::Patch, http::HttpResponse> checked;
  {
    std::lock_guard lock(mutex_);
    checked = session->resource().check_patch(request);
  }
  if (auto* refused = std::get_if<http::HttpResponse>(&checked)) return respond(std::move(*refused));
  auto& patch = std::get<HttpSdpResource::Patch>(checked);
  // The server is ICE-lite (RFC 8445 §2.5): it learns the client's addresses
  // from the client's own checks; trickled candidates only name the path's type.
  if (patch.kind == HttpSdpResource::Patch::Kind::trickle) {
    std::vector<std::string> candidates;
    for (const auto& m : patch.fragment.media)
      candidates.insert(candidates.end(), m.candidates.begin(), m.candidates.end());
    session->worker().post([session, candidates = std::move(candidates)] {
      sfu::Room* room = session->worker().find_room(session->room());
      if (!room || !room->is_current_sink(session->identity(), session.get())) return;
      using Connection = CandidateRequests::Connection;
      const auto connection = session->publishes() ? Connection::publisher : Connection::subscriber;
      CandidateRequests::add_trickled(*room, session->identity(), connection, candidates);
    });
    return respond(http::HttpResponse::empty(204));
  }

  // ICE restart (RFC 9725 §4.3.3): the negotiated session stays; only the
  // credentials change, so the room answers the same offer with the new
  // ones again and the answer's ICE part goes back.
  std::string ufrag(patch.fragment.ufrag()), pwd(patch.fragment.pwd());
  std::string offer;
  {
    std::lock_guard lock(mutex_);
    offer = SdpFragment::with_ice_credentials(session->offer(), ufrag, pwd);
  }
  session->worker().post([self = shared_from_this(), session, offer = std::move(offer),
                          ufrag = std::move(ufrag), pwd = std::move(pwd),
                          respond = std::move(respond)]() mutable {
    sfu::Room* room = session->worker().find_room(session->room());
    if (!room || !room->is_current_sink(session->identity(), session.get()))
      return respond(error(404, "session_not_found", "the " + self->config_.protocol + " session has ended"));
    auto answered = session->renegotiate(*room, offer);
    // The session carries on with its old credentials (RFC 9725 §4.3.3).
    if (auto* failure = std::get_if<sfu::event::Error>(&answered))
      return respond(error(422, failure->code, failure->message));
    http::HttpResponse restarted;
    {
      std::lock_guard lock(self->mutex_);
      session->set_offer(std::move(offer));
      session->resource().restarted(std::move(ufrag), std::move(pwd));
      restarted = session->resource().restart_answer(SdpFragment::ice_of(std::get<std::string>(answered)));
    }
    respond(std::move(restarted));
  });
}

void HttpSdpSessionRegistry::end(http::Responder respond, const Address& address) {
  auto session = find(address);
  if (!session) return respond(error(404, "session_not_found", "no such " + config_.protocol + " session"));
  erase(session->id());
  spdlog::info("{}: session {} deleted", log_name_, session->id());
  session->worker().post([session, respond = std::move(respond)] {
    sfu::Room* room = session->worker().find_room(session->room());
    if (room && room->is_current_sink(session->identity(), session.get()))
      room->leave(session->identity(), "left");
    respond(http::HttpResponse::empty(200));
  });
}

}  // namespace ct::signal
