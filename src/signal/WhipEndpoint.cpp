#include "signal/WhipEndpoint.hpp"

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "core/Log.hpp"
#include "core/Random.hpp"
#include "core/TokenBucket.hpp"
#include "http/HttpServer.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "signal/HttpSdpResource.hpp"
#include "signal/RtcSessionListener.hpp"
#include "signal/SdpFragment.hpp"
#include "signal/WhipSession.hpp"

namespace ct::signal {

namespace {

constexpr std::string_view kPrefix = "/whip/";
constexpr size_t kMaxRoomName = 128;  // as tokens allow
constexpr size_t kSessionIdLength = 32;
constexpr size_t kMaxTrackedAddresses = 4096;

// Listed at 0 from the start, so a first one shows as an increase.
constexpr std::string_view kCountedStatuses[] = {"200", "201", "204", "400", "401", "403", "404", "405",
                                                 "406", "409", "412", "415", "422", "429", "500"};

http::HttpResponse error(int status, std::string_view code, std::string_view message) {
  return HttpSdpResource::error(status, code, message);
}

http::HttpResponse method_not_allowed(std::string_view allow) {
  auto r = error(405, "method_not_allowed", "this WHIP resource takes " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

struct WhipEndpoint::State : std::enable_shared_from_this<State> {
  explicit State(const RtcSessionListener& s) : service(s) {
    for (auto status : kCountedStatuses) stats.requests[std::string(status)] = 0;
  }

  const RtcSessionListener& service;
  mutable std::mutex mutex;  // HTTP bookkeeping only; never on the media path
  std::unordered_map<std::string, std::shared_ptr<WhipSession>> sessions;  // by id
  std::unordered_map<std::string, TokenBucket> buckets;                    // by client address
  Stats stats;

  // Answers through `respond` and counts the answer by status.
  http::Responder counted(http::Responder respond) {
    return [self = shared_from_this(), respond = std::move(respond)](http::HttpResponse r) {
      {
        std::lock_guard lock(self->mutex);
        ++self->stats.requests[std::to_string(r.status)];
      }
      respond(std::move(r));
    };
  }

  bool allow_request(const std::string& address) {
    std::lock_guard lock(mutex);
    const TimePoint now = Clock::now();
    if (buckets.size() >= kMaxTrackedAddresses && !buckets.contains(address)) {
      // Forget the addresses whose buckets have refilled: they lose nothing.
      for (auto it = buckets.begin(); it != buckets.end();)
        it = it->second.available(now) >= kRequestBurst ? buckets.erase(it) : std::next(it);
    }
    auto [it, _] = buckets.try_emplace(address, kRequestsPerSecond, kRequestBurst);
    return it->second.try_take(now);
  }

  std::shared_ptr<WhipSession> find(const Target& target) {
    std::lock_guard lock(mutex);
    auto it = sessions.find(target.session);
    if (it == sessions.end() || it->second->room() != target.room) return nullptr;
    return it->second;
  }

  void erase(const std::string& id) {
    std::lock_guard lock(mutex);
    sessions.erase(id);
  }
};

WhipEndpoint::WhipEndpoint(const RtcSessionListener& service) : state_(std::make_shared<State>(service)) {}

WhipEndpoint::~WhipEndpoint() = default;

void WhipEndpoint::install(http::HttpServer& server) {
  for (const char* method : {"POST", "PATCH", "DELETE"}) {
    server.add_prefix_route(
        method, std::string(kPrefix), [this](http::HttpRequest req, http::Responder respond) {
          respond = state_->counted(std::move(respond));
          auto target = parse_path(req.path);
          if (!target) {
            respond(error(404, "not_found", "WHIP resources are /whip/{room} and /whip/{room}/{session}"));
            return;
          }
          if (!state_->allow_request(req.remote_ip)) {
            auto r = error(429, "rate_limited", "too many WHIP requests from your address; slow down");
            r.headers.emplace_back("Retry-After", "1");
            respond(std::move(r));
            return;
          }
          if (target->session.empty()) {
            if (req.method != "POST") return respond(method_not_allowed("POST"));
            return post_offer(std::move(req), std::move(respond), std::move(target->room));
          }
          if (req.method == "PATCH") return patch(std::move(req), std::move(respond), *target);
          if (req.method == "DELETE") return end(std::move(respond), *target);
          respond(method_not_allowed("PATCH, DELETE"));
        });
  }
}

WhipEndpoint::Stats WhipEndpoint::stats() const {
  std::lock_guard lock(state_->mutex);
  Stats s = state_->stats;
  s.sessions = state_->sessions.size();
  return s;
}

std::optional<WhipEndpoint::Target> WhipEndpoint::parse_path(std::string_view path) {
  if (!path.starts_with(kPrefix)) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  Target target;
  size_t slash = path.find('/');
  target.room = std::string(path.substr(0, slash));
  if (slash != std::string_view::npos) {
    std::string_view session = path.substr(slash + 1);
    if (session.empty() || session.size() > kSessionIdLength || session.find('/') != std::string_view::npos)
      return std::nullopt;
    target.session = std::string(session);
  }
  if (target.room.empty() || target.room.size() > kMaxRoomName) return std::nullopt;
  return target;
}

std::string WhipEndpoint::location(std::string_view room, std::string_view session) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(kPrefix);
  for (char c : room) {
    if (unreserved(c)) {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out + "/" + std::string(session);
}

int WhipEndpoint::status_of(std::string_view code) {
  if (code == "bad_sdp" || code == "too_many_tracks") return 400;
  if (code == "publish_not_allowed") return 403;
  if (code == "room_full" || code == "e2ee_unsupported") return 409;
  return 500;
}

void WhipEndpoint::post_offer(http::HttpRequest request, http::Responder respond, std::string room) const {
  // RFC 9725 §4.2: the offer is application/sdp, and so is the answer.
  if (!HttpSdpResource::has_content_type(request, HttpSdpResource::kSdpType))
    return respond(
        error(415, "unsupported_media_type", "send the SDP offer as Content-Type: application/sdp"));
  if (!HttpSdpResource::accepts(request, HttpSdpResource::kSdpType))
    return respond(error(406, "not_acceptable", "the answer is application/sdp, which Accept refuses"));

  constexpr std::string_view kBearer = "Bearer ";
  const std::string& header = request.header("authorization");
  if (!std::string_view(header).starts_with(kBearer)) {
    auto r = error(401, "unauthorized", "send an access token as 'Authorization: Bearer <token>'");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return respond(std::move(r));
  }
  const RtcSessionListener& service = state_->service;
  auto claims = service.verifier().verify(std::string_view(header).substr(kBearer.size()),
                                          std::chrono::system_clock::now());
  if (!claims) return respond(error(401, to_string(claims.error()), "the access token was refused"));
  const VideoGrants& g = claims->grants;
  if (!g.room_join || g.room != room || !g.can_publish || g.hidden)
    return respond(
        error(403, "permission_denied", "the token does not grant joining and publishing in room " + room));
  if (request.body.empty()) return respond(error(400, "bad_sdp", "the request carries no SDP offer"));

  // The client's ICE credentials, which a PATCH is checked against.
  SdpFragment ice = SdpFragment::ice_of(request.body);
  std::string id = random_token(kSessionIdLength);
  sfu::MediaWorker& worker = service.worker_for(room);
  auto on_removed = [weak = std::weak_ptr<State>(state_)](const std::string& id, std::string_view reason) {
    spdlog::info("whip: session {} ended ({})", id, reason);
    if (auto state = weak.lock()) state->erase(id);
  };
  auto session = std::make_shared<WhipSession>(
      id, room, claims->identity, worker,
      HttpSdpResource(location(room, id), std::string(ice.ufrag()), std::string(ice.pwd())), request.body,
      std::move(on_removed));
  {
    std::lock_guard lock(state_->mutex);
    state_->sessions.emplace(id, session);
  }

  sfu::ParticipantInfo info;
  info.identity = claims->identity;
  info.name = claims->name;
  info.metadata = claims->metadata;
  info.kind = "ingress";
  info.can_publish = true;
  info.can_subscribe = false;
  info.can_publish_data = false;
  sfu::RoomSettings settings;
  settings.e2ee_required = service.config().e2ee_required;
  spdlog::info("whip: {} publishes into room '{}' from {} (session {})", info.identity, room,
               request.remote_ip, id);
  auto ice_servers = service.ice_servers_for(info.identity);
  worker.post([state = state_, session, info = std::move(info), settings, respond = std::move(respond),
               ice_servers = std::move(ice_servers)]() mutable {
    sfu::Room& room = session->worker().room(session->room(), settings);
    if (auto refused = room.join(info, session, Clock::now())) {
      state->erase(session->id());
      return respond(error(status_of(refused->code), refused->code, refused->message));
    }
    session->clear_outcome();
    room.publisher_offer(info.identity, session->offer(), {}, Clock::now());
    auto failure = session->take_error();
    auto answer = session->take_answer();
    if (!failure && answer && answer->tracks.empty())
      failure = sfu::event::Error{"bad_sdp", "the offer sends no audio or video (a WHIP offer is sendonly)"};
    if (failure || !answer) {
      room.leave(info.identity, "left");
      state->erase(session->id());
      if (!failure) failure = sfu::event::Error{"bad_sdp", "the offer was not answered"};
      return respond(error(status_of(failure->code), failure->code, failure->message));
    }
    http::HttpResponse created;
    {
      std::lock_guard lock(state->mutex);
      created = session->resource().created(std::move(answer->sdp), ice_servers);
    }
    respond(std::move(created));
  });
}

void WhipEndpoint::patch(http::HttpRequest request, http::Responder respond, const Target& target) const {
  auto session = state_->find(target);
  if (!session) return respond(error(404, "session_not_found", "no WHIP session at " + request.path));
  std::variant<HttpSdpResource::Patch, http::HttpResponse> checked;
  {
    std::lock_guard lock(state_->mutex);
    checked = session->resource().check_patch(request);
  }
  if (auto* refused = std::get_if<http::HttpResponse>(&checked)) return respond(std::move(*refused));
  auto& patch = std::get<HttpSdpResource::Patch>(checked);
  // The server is ICE-lite (RFC 8445 §2.5): it learns the client's addresses
  // from the client's own checks, so trickled candidates need nothing more.
  if (patch.kind == HttpSdpResource::Patch::Kind::trickle) return respond(http::HttpResponse::empty(204));

  // ICE restart (RFC 9725 §4.3.3): the negotiated session stays; only the
  // credentials change, so the publisher connection renegotiates the same
  // offer with the new ones and the answer's ICE part goes back.
  std::string ufrag(patch.fragment.ufrag()), pwd(patch.fragment.pwd());
  std::string offer;
  {
    std::lock_guard lock(state_->mutex);
    offer = SdpFragment::with_ice_credentials(session->offer(), ufrag, pwd);
  }
  session->worker().post([state = state_, session, offer = std::move(offer), ufrag = std::move(ufrag),
                          pwd = std::move(pwd), respond = std::move(respond)]() mutable {
    sfu::Room* room = session->worker().find_room(session->room());
    if (!room || !room->is_current_sink(session->identity(), session.get()))
      return respond(error(404, "session_not_found", "the WHIP session has ended"));
    session->clear_outcome();
    room->publisher_offer(session->identity(), offer, {}, Clock::now());
    auto failure = session->take_error();
    auto answer = session->take_answer();
    // The session carries on with its old credentials (RFC 9725 §4.3.3).
    if (failure || !answer)
      return respond(error(422, failure ? failure->code : "bad_sdp",
                           failure ? failure->message : "the ICE restart was not answered"));
    http::HttpResponse restarted;
    {
      std::lock_guard lock(state->mutex);
      session->set_offer(std::move(offer));
      session->resource().restarted(std::move(ufrag), std::move(pwd));
      restarted = session->resource().restart_answer(SdpFragment::ice_of(answer->sdp));
    }
    respond(std::move(restarted));
  });
}

void WhipEndpoint::end(http::Responder respond, const Target& target) const {
  auto session = state_->find(target);
  if (!session) return respond(error(404, "session_not_found", "no such WHIP session"));
  state_->erase(session->id());
  spdlog::info("whip: session {} deleted", session->id());
  session->worker().post([session, respond = std::move(respond)] {
    sfu::Room* room = session->worker().find_room(session->room());
    if (room && room->is_current_sink(session->identity(), session.get()))
      room->leave(session->identity(), "left");
    respond(http::HttpResponse::empty(200));
  });
}

}  // namespace ct::signal
