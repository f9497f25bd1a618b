#include "signal/WhepEndpoint.hpp"

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "core/Log.hpp"
#include "core/Random.hpp"
#include "http/HttpServer.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "signal/ApiRateLimiter.hpp"
#include "signal/HttpSdpResource.hpp"
#include "signal/RtcSessionListener.hpp"
#include "signal/SdpFragment.hpp"
#include "signal/WhepSession.hpp"

namespace ct::signal {

namespace {

constexpr std::string_view kPrefix = "/whep/";
constexpr size_t kMaxName = 128;  // room names and identities, as tokens allow
constexpr size_t kSessionIdLength = 32;

http::HttpResponse error(int status, std::string_view code, std::string_view message) {
  return HttpSdpResource::error(status, code, message);
}

http::HttpResponse method_not_allowed(std::string_view allow) {
  auto r = error(405, "method_not_allowed", "this WHEP resource takes " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string percent_encoded(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (unreserved(c)) {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace

struct WhepEndpoint::State {
  explicit State(const RtcSessionListener& s) : service(s) {}

  const RtcSessionListener& service;
  ApiRateLimiter limiter{kRequestsPerSecond, kRequestBurst};
  mutable std::mutex mutex;  // HTTP bookkeeping only; never on the media path
  std::unordered_map<std::string, std::shared_ptr<WhepSession>> sessions;  // by id

  std::shared_ptr<WhepSession> find(const Target& target) {
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

WhepEndpoint::WhepEndpoint(const RtcSessionListener& service) : state_(std::make_shared<State>(service)) {}

WhepEndpoint::~WhepEndpoint() = default;

void WhepEndpoint::install(http::HttpServer& server) {
  for (const char* method : {"POST", "PATCH", "DELETE"}) {
    server.add_prefix_route(
        method, std::string(kPrefix), [this](http::HttpRequest req, http::Responder respond) {
          auto target = parse_path(req.path);
          if (!target) {
            respond(error(
                404, "not_found",
                "WHEP resources are /whep/{room}/{participant} and /whep/{room}/{participant}/{session}"));
            return;
          }
          if (unsigned wait = state_->limiter.retry_after(req.remote_ip, Clock::now())) {
            auto r = error(429, "rate_limited", "too many WHEP requests from your address; slow down");
            r.headers.emplace_back("Retry-After", std::to_string(wait));
            respond(std::move(r));
            return;
          }
          if (target->session.empty()) {
            if (req.method != "POST") return respond(method_not_allowed("POST"));
            return post_offer(std::move(req), std::move(respond), std::move(*target));
          }
          if (req.method == "PATCH") return patch(std::move(req), std::move(respond), *target);
          if (req.method == "DELETE") return end(std::move(respond), *target);
          respond(method_not_allowed("PATCH, DELETE"));
        });
  }
}

size_t WhepEndpoint::sessions() const {
  std::lock_guard lock(state_->mutex);
  return state_->sessions.size();
}

std::optional<WhepEndpoint::Target> WhepEndpoint::parse_path(std::string_view path) {
  if (!path.starts_with(kPrefix)) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  std::string_view parts[3];
  size_t count = 0;
  while (count < 3) {
    size_t slash = path.find('/');
    parts[count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
    if (count == 3) return std::nullopt;  // a fourth segment
  }
  if (count < 2) return std::nullopt;
  for (size_t i = 0; i < count; ++i)
    if (parts[i].empty() || parts[i].size() > (i == 2 ? kSessionIdLength : kMaxName)) return std::nullopt;
  return Target{std::string(parts[0]), std::string(parts[1]), std::string(count == 3 ? parts[2] : "")};
}

std::string WhepEndpoint::location(std::string_view room, std::string_view participant,
                                   std::string_view session) {
  return std::string(kPrefix) + percent_encoded(room) + "/" + percent_encoded(participant) + "/" +
         std::string(session);
}

int WhepEndpoint::status_of(std::string_view code) {
  if (code == "bad_sdp") return 400;
  if (code == "room_not_found" || code == "participant_not_found" || code == "track_not_found") return 404;
  if (code == "room_full" || code == "e2ee_unsupported") return 409;
  if (code == "no_matching_tracks") return 422;
  return 500;
}

void WhepEndpoint::post_offer(http::HttpRequest request, http::Responder respond, Target target) const {
  // draft-ietf-wish-whep §4.2: the offer is application/sdp, and so is the answer.
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
  if (!g.room_join || g.room != target.room || !g.can_subscribe)
    return respond(error(403, "permission_denied",
                         "the token does not grant joining and subscribing in room " + target.room));
  if (request.body.empty()) return respond(error(400, "bad_sdp", "the request carries no SDP offer"));

  SdpFragment ice = SdpFragment::ice_of(request.body);
  std::string id = random_token(kSessionIdLength);
  sfu::ParticipantInfo info;
  info.identity = claims->identity + "-whep-" + id.substr(0, 8);
  info.name = claims->name.empty() ? claims->identity : claims->name;
  info.metadata = claims->metadata;
  info.kind = "whep";
  info.hidden = true;
  info.can_publish = false;
  info.can_subscribe = true;
  info.can_publish_data = false;
  info.receives_only_from = target.participant;

  sfu::MediaWorker& worker = service.worker_for(target.room);
  auto on_removed = [weak = std::weak_ptr<State>(state_)](const std::string& id, std::string_view reason) {
    spdlog::info("whep: session {} ended ({})", id, reason);
    if (auto state = weak.lock()) state->erase(id);
  };
  auto session =
      std::make_shared<WhepSession>(id, target.room, info.identity, worker,
                                    HttpSdpResource(location(target.room, target.participant, id),
                                                    std::string(ice.ufrag()), std::string(ice.pwd())),
                                    request.body, std::move(on_removed));
  spdlog::info("whep: {} plays {} in room '{}' from {} (session {})", info.identity, target.participant,
               target.room, request.remote_ip, id);
  auto ice_servers = service.ice_servers_for(info.identity);
  worker.post([state = state_, session, info = std::move(info), respond = std::move(respond),
               ice_servers = std::move(ice_servers)]() mutable {
    // Playing needs someone to play: the room is not created for a player.
    sfu::Room* room = session->worker().find_room(session->room());
    if (!room) return respond(error(404, "room_not_found", "no room " + session->room()));
    bool found = false, has_tracks = false;
    for (const auto& p : room->participants()) {
      if (p.info.identity != info.receives_only_from) continue;
      found = true;
      has_tracks = !p.tracks.empty();
    }
    if (!found)
      return respond(error(404, "participant_not_found",
                           "no participant " + info.receives_only_from + " in room " + session->room()));
    if (!has_tracks)
      return respond(error(404, "track_not_found", info.receives_only_from + " publishes no track"));
    if (auto refused = room->join(info, session, Clock::now()))
      return respond(error(status_of(refused->code), refused->code, refused->message));
    auto answered = room->answer_subscriber_offer(info.identity, session->offer());
    if (auto* failure = std::get_if<sfu::event::Error>(&answered)) {
      room->leave(info.identity, "left");
      return respond(error(status_of(failure->code), failure->code, failure->message));
    }
    http::HttpResponse created;
    {
      std::lock_guard lock(state->mutex);
      state->sessions.emplace(session->id(), session);
      created = session->resource().created(std::move(std::get<sfu::event::SubscriberAnswer>(answered).sdp),
                                            ice_servers);
    }
    respond(std::move(created));
  });
}

void WhepEndpoint::patch(http::HttpRequest request, http::Responder respond, const Target& target) const {
  auto session = state_->find(target);
  if (!session) return respond(error(404, "session_not_found", "no WHEP session at " + request.path));
  std::variant<HttpSdpResource::Patch, http::HttpResponse> checked;
  {
    std::lock_guard lock(state_->mutex);
    checked = session->resource().check_patch(request);
  }
  if (auto* refused = std::get_if<http::HttpResponse>(&checked)) return respond(std::move(*refused));
  auto& patch = std::get<HttpSdpResource::Patch>(checked);
  // The server is ICE-lite (RFC 8445 §2.5): it learns the player's addresses
  // from the player's own checks, so trickled candidates need nothing more.
  if (patch.kind == HttpSdpResource::Patch::Kind::trickle) return respond(http::HttpResponse::empty(204));

  // ICE restart (draft-ietf-wish-whep §4.3, as RFC 9725 §4.3.3): the session
  // stays; the offer is answered again with the new credentials, every
  // section keeping its track, and the answer's ICE part goes back.
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
      return respond(error(404, "session_not_found", "the WHEP session has ended"));
    auto answered = room->answer_subscriber_offer(session->identity(), offer);
    // The session carries on with its old credentials.
    if (auto* failure = std::get_if<sfu::event::Error>(&answered))
      return respond(error(422, failure->code, failure->message));
    http::HttpResponse restarted;
    {
      std::lock_guard lock(state->mutex);
      session->set_offer(std::move(offer));
      session->resource().restarted(std::move(ufrag), std::move(pwd));
      restarted = session->resource().restart_answer(
          SdpFragment::ice_of(std::get<sfu::event::SubscriberAnswer>(answered).sdp));
    }
    respond(std::move(restarted));
  });
}

void WhepEndpoint::end(http::Responder respond, const Target& target) const {
  auto session = state_->find(target);
  if (!session) return respond(error(404, "session_not_found", "no such WHEP session"));
  state_->erase(session->id());
  spdlog::info("whep: session {} deleted", session->id());
  session->worker().post([session, respond = std::move(respond)] {
    sfu::Room* room = session->worker().find_room(session->room());
    if (room && room->is_current_sink(session->identity(), session.get()))
      room->leave(session->identity(), "left");
    respond(http::HttpResponse::empty(200));
  });
}

}  // namespace ct::signal
