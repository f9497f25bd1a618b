#include "signal/RoomServiceApi.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

#include "http/HttpServer.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "signal/AccessToken.hpp"
#include "signal/ParticipantStatsJson.hpp"
#include "signal/MoveParticipantRequest.hpp"
#include "signal/ParticipantMover.hpp"
#include "signal/RoomApiJson.hpp"
#include "signal/RoomApiRequest.hpp"
#include "signal/RoomSettingsJson.hpp"

namespace ct::signal {

namespace {

using Json = nlohmann::json;
using Kind = RoomServiceApi::Target::Kind;

constexpr std::string_view kRoomsPrefix = "/api/rooms/";
constexpr std::string_view kRecordingSuffix = "/recording";

http::HttpResponse recording_state(const std::string& room, bool active, const std::string& id, int status) {
  Json body = {{"room", room}, {"recording", {{"active", active}, {"id", nullptr}}}};
  if (!id.empty()) body["recording"]["id"] = id;
  return http::HttpResponse::json(status, body.dump());
}

http::HttpResponse json_answer(int status, const Json& body) {
  return http::HttpResponse::json(status, RoomApiJson::dump(body));
}

// An error a room reported, with its status.
http::HttpResponse room_error(const sfu::event::Error& e) {
  return RoomServiceApi::error(RoomServiceApi::status_of(e.code), e.code, e.message);
}

http::HttpResponse no_room(const std::string& room) {
  return RoomServiceApi::error(404, "room_not_found", "no room " + room + " on this server");
}

// roomAdmin, roomRecord: for the room the grant names, or every room when it names none.
bool grant_covers(bool granted, const VideoGrants& g, const std::string& room) {
  return granted && (g.room.empty() || g.room == room);
}

// Whether `claims` may make a request of this kind; the grant it lacks otherwise.
std::optional<std::string> missing_grant(Kind kind, const std::string& method, const VideoGrants& g,
                                         const std::string& room) {
  bool admin = grant_covers(g.room_admin, g, room);
  switch (kind) {
    case Kind::Index:
      return std::nullopt;
    case Kind::Rooms:
      if (method == "GET") return g.room_list ? std::nullopt : std::optional<std::string>("roomList");
      return g.room_create ? std::nullopt : std::optional<std::string>("roomCreate");
    case Kind::Room:
      if (method == "DELETE") return g.room_create ? std::nullopt : std::optional<std::string>("roomCreate");
      if (method == "PATCH") return admin ? std::nullopt : std::optional<std::string>("roomAdmin");
      return g.room_list || admin ? std::nullopt : std::optional<std::string>("roomList or roomAdmin");
    case Kind::Participants:
    case Kind::Participant:
      if (method == "GET" && g.room_list) return std::nullopt;
      return admin ? std::nullopt : std::optional<std::string>("roomAdmin");
    case Kind::Mute:
    case Kind::Data:
    case Kind::Stats:
    case Kind::Move:
      return admin ? std::nullopt : std::optional<std::string>("roomAdmin");
    case Kind::Recording:
      return grant_covers(g.room_record, g, room) ? std::nullopt : std::optional<std::string>("roomRecord");
  }
  return std::string("?");
}

// Splits "a/b/c" into its parts; a part is never empty.
std::optional<std::vector<std::string_view>> split(std::string_view rest) {
  std::vector<std::string_view> parts;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (part.empty()) return std::nullopt;
    parts.push_back(part);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) return std::nullopt;  // a trailing slash
  }
  return parts;
}

}  // namespace

RoomServiceApi::RoomServiceApi(const AccessTokenVerifier& verifier, WorkerForRoom worker_for,
                               std::vector<sfu::MediaWorker*> workers, RoomServiceApiConfig config)
    : verifier_(verifier),
      worker_for_(std::move(worker_for)),
      workers_(std::move(workers)),
      config_(config),
      limiter_(std::make_unique<ApiRateLimiter>(config.requests_per_second, config.request_burst)) {}

const std::vector<RoomServiceApi::Route>& RoomServiceApi::routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/api", Kind::Index},
      {"GET", "/api/rooms", Kind::Rooms},
      {"POST", "/api/rooms", Kind::Rooms},
      {"GET", "/api/rooms/{room}", Kind::Room},
      {"DELETE", "/api/rooms/{room}", Kind::Room},
      {"PATCH", "/api/rooms/{room}", Kind::Room},
      {"GET", "/api/rooms/{room}/participants", Kind::Participants},
      {"GET", "/api/rooms/{room}/participants/{identity}", Kind::Participant},
      {"PATCH", "/api/rooms/{room}/participants/{identity}", Kind::Participant},
      {"DELETE", "/api/rooms/{room}/participants/{identity}", Kind::Participant},
      {"POST", "/api/rooms/{room}/participants/{identity}/tracks/{sid}/mute", Kind::Mute},
      {"POST", "/api/rooms/{room}/data", Kind::Data},
      {"POST", "/api/rooms/{room}/participants/{identity}/move", Kind::Move},
      {"GET", "/api/rooms/{room}/recording", Kind::Recording},
      {"POST", "/api/rooms/{room}/recording", Kind::Recording},
      {"DELETE", "/api/rooms/{room}/recording", Kind::Recording},
      {"GET", "/api/rooms/{room}/participants/{identity}/stats", Kind::Stats},
  };
  return kRoutes;
}

void RoomServiceApi::install(http::HttpServer& server) {
  auto handler = [this](http::HttpRequest req, http::Responder respond) {
    handle(std::move(req), std::move(respond));
  };
  for (const char* method : {"GET", "POST", "PATCH", "DELETE"}) {
    server.add_route(method, "/api", handler);
    server.add_route(method, "/api/rooms", handler);
    server.add_prefix_route(method, std::string(kRoomsPrefix), handler);
  }
}

std::optional<std::string> RoomServiceApi::recording_room(std::string_view path) {
  if (!path.starts_with(kRoomsPrefix) || !path.ends_with(kRecordingSuffix)) return std::nullopt;
  path.remove_prefix(kRoomsPrefix.size());
  if (path.size() <= kRecordingSuffix.size()) return std::nullopt;
  path.remove_suffix(kRecordingSuffix.size());
  // Room names are at most 128 characters (as tokens allow).
  if (path.size() > RoomApiRequest::kMaxName) return std::nullopt;
  return std::string(path);
}

std::optional<RoomServiceApi::Target> RoomServiceApi::target_of(std::string_view path) {
  if (path == "/api") return Target{Kind::Index, {}, {}, {}};
  if (path == "/api/rooms") return Target{Kind::Rooms, {}, {}, {}};
  // The recording path came first and takes any name, '/' included (the suffix ends it).
  if (auto room = recording_room(path)) return Target{Kind::Recording, *room, {}, {}};
  if (!path.starts_with(kRoomsPrefix)) return std::nullopt;
  auto parts = split(path.substr(kRoomsPrefix.size()));
  if (!parts || parts->empty()) return std::nullopt;
  const auto& p = *parts;
  for (auto part : p)
    if (part.size() > RoomApiRequest::kMaxName) return std::nullopt;
  Target t{Kind::Room, std::string(p[0]), {}, {}};
  if (p.size() == 1) return t;
  if (p.size() == 2 && p[1] == "data") return Target{Kind::Data, t.room, {}, {}};
  if (p[1] != "participants") return std::nullopt;
  if (p.size() == 2) return Target{Kind::Participants, t.room, {}, {}};
  if (p.size() == 3) return Target{Kind::Participant, t.room, std::string(p[2]), {}};
  if (p.size() == 4 && p[3] == "stats") return Target{Kind::Stats, t.room, std::string(p[2]), {}};
  if (p.size() == 4 && p[3] == "move") return Target{Kind::Move, t.room, std::string(p[2]), {}};
  if (p.size() == 6 && p[3] == "tracks" && p[5] == "mute")
    return Target{Kind::Mute, t.room, std::string(p[2]), std::string(p[4])};
  return std::nullopt;
}

int RoomServiceApi::status_of(std::string_view code) {
  if (code == "recording_active" || code == "recording_not_active" || code == "room_exists" ||
      code == "already_in_room")
    return 409;
  if (code == "move_unavailable") return 503;
  if (code == "room_not_found" || code == "participant_not_found" || code == "track_not_found") return 404;
  if (code == "recording_disabled") return 503;
  return 500;  // recording_failed, and anything new: the server's fault until said otherwise
}

http::HttpResponse RoomServiceApi::error(int status, std::string_view code, std::string_view message) {
  Json body = {{"code", code}, {"message", message}};
  return http::HttpResponse::json(status, RoomApiJson::dump(body));
}

std::optional<AccessTokenClaims> RoomServiceApi::authenticate(const http::HttpRequest& request,
                                                              const http::Responder& respond) const {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string& header = request.header("authorization");
  if (!std::string_view(header).starts_with(kBearer)) {
    respond(error(401, "unauthorized", "send an access token as 'Authorization: Bearer <token>'"));
    return std::nullopt;
  }
  auto result =
      verifier_.verify(std::string_view(header).substr(kBearer.size()), std::chrono::system_clock::now());
  if (!result) {
    respond(error(401, to_string(result.error()), "the access token was refused"));
    return std::nullopt;
  }
  return std::move(result).value();
}

void RoomServiceApi::handle(http::HttpRequest request, http::Responder respond) {
  // Limits first: they cost nothing to check and protect everything after.
  if (unsigned wait = limiter_->retry_after(request.remote_ip, Clock::now())) {
    rate_limited_.fetch_add(1, std::memory_order_relaxed);
    auto response = error(429, "rate_limited", "too many API requests from your address");
    response.headers.emplace_back("Retry-After", std::to_string(wait));
    respond(std::move(response));
    return;
  }
  if (request.body.size() > config_.max_body_bytes) {
    respond(error(413, "body_too_large",
                  "the body is larger than " + std::to_string(config_.max_body_bytes) + " bytes"));
    return;
  }
  auto target = target_of(request.path);
  if (!target) {
    respond(error(404, "not_found", "no such API path: " + request.path));
    return;
  }
  bool served = false;
  std::string allow;
  for (const auto& route : routes()) {
    if (route.kind != target->kind) continue;
    served = served || request.method == route.method;
    allow += (allow.empty() ? "" : ", ") + std::string(route.method);
  }
  if (!served) {
    auto response = error(405, "method_not_allowed", request.method + " is not served on " + request.path);
    response.headers.emplace_back("Allow", allow);
    respond(std::move(response));
    return;
  }
  if (target->kind == Kind::Index) return index(respond);
  auto claims = authenticate(request, respond);
  if (!claims) return;
  if (auto grant = missing_grant(target->kind, request.method, claims->grants, target->room)) {
    // The recording's refusal keeps the code it has always had.
    std::string code = target->kind == Kind::Recording ? "recording_not_allowed" : "permission_denied";
    std::string where = target->room.empty() ? "" : " for room " + target->room;
    respond(error(403, code, "the token does not grant " + *grant + where));
    return;
  }
  if (target->kind == Kind::Rooms) {
    if (request.method == "GET") return list_rooms(std::move(respond));
    return create_room(request, std::move(respond));
  }
  if (target->kind == Kind::Recording)
    return recording(request.method, target->room, *claims, std::move(respond));
  if (target->kind == Kind::Stats) return participant_stats(*target, std::move(respond));
  on_room(request, *target, *claims, std::move(respond));
}

void RoomServiceApi::index(const http::Responder& respond) const {
  Json list = Json::array();
  for (const auto& r : routes()) list.push_back({{"method", r.method}, {"path", r.path}});
  respond(json_answer(200, {{"routes", std::move(list)}}));
}

void RoomServiceApi::list_rooms(http::Responder respond) const {
  // Each worker lists its own rooms on its thread; the last one to finish answers.
  struct Gathering {
    std::mutex mutex;
    Json rooms = Json::array();
    size_t workers_left;
    http::Responder respond;
  };
  auto gathering = std::make_shared<Gathering>();
  gathering->workers_left = workers_.size();
  gathering->respond = std::move(respond);
  if (workers_.empty()) return gathering->respond(json_answer(200, {{"rooms", Json::array()}}));
  for (sfu::MediaWorker* worker : workers_) {
    worker->post([worker, gathering] {
      Json mine = Json::array();
      for (sfu::Room* room : worker->rooms()) mine.push_back(RoomApiJson::room(*room));
      std::lock_guard lock(gathering->mutex);
      for (auto& r : mine) gathering->rooms.push_back(std::move(r));
      if (--gathering->workers_left > 0) return;
      auto& rooms = gathering->rooms;
      std::sort(rooms.begin(), rooms.end(),
                [](const Json& a, const Json& b) { return a["name"] < b["name"]; });
      gathering->respond(json_answer(200, {{"rooms", std::move(rooms)}}));
    });
  }
}

void RoomServiceApi::create_room(const http::HttpRequest& request, http::Responder respond) const {
  auto parsed = RoomApiRequest::create_room(request.body);
  if (auto* refusal = std::get_if<RoomApiRequest::Refusal>(&parsed)) {
    respond(error(400, refusal->code, refusal->message));
    return;
  }
  auto create = std::get<RoomApiRequest::CreateRoom>(std::move(parsed));
  create.settings.e2ee_required = create.settings.e2ee_required || config_.e2ee_required;
  sfu::MediaWorker& worker = worker_for_(create.name);
  worker.post([&worker, create = std::move(create), respond = std::move(respond)] {
    if (worker.find_room(create.name)) {
      respond(error(409, "room_exists", "room " + create.name + " exists already"));
      return;
    }
    respond(json_answer(201, RoomApiJson::room(worker.room(create.name, create.settings))));
  });
}

void RoomServiceApi::update_room(const http::HttpRequest& request, const std::string& name,
                                 http::Responder respond) const {
  auto parsed = RoomApiRequest::update_room(request.body);
  if (auto* r = std::get_if<RoomApiRequest::Refusal>(&parsed)) return respond(error(400, r->code, r->message));
  sfu::MediaWorker& worker = worker_for_(name);
  worker.post([&worker, name, forced_e2ee = config_.e2ee_required,
               u = std::get<RoomApiRequest::UpdateRoom>(std::move(parsed)), respond = std::move(respond)] {
    sfu::Room* room = worker.find_room(name);
    if (!room) return respond(no_room(name));
    sfu::RoomSettings settings = room->settings();
    RoomSettingsJson::read(u.settings, settings);  // checked on the HTTP thread
    settings.e2ee_required = settings.e2ee_required || forced_e2ee;
    // Clients in the room encrypt or not as the room said when they joined.
    if (settings.e2ee_required != room->settings().e2ee_required && !room->empty())
      return respond(error(409, "room_not_empty", "e2ee changes only while room " + name + " is empty"));
    worker.update_settings(*room, settings);
    respond(json_answer(200, RoomApiJson::room(*room)));
  });
}

void RoomServiceApi::move(const http::HttpRequest& request, const Target& target,
                          const AccessTokenClaims& claims, const http::Responder& respond) const {
  auto parsed = MoveParticipantRequest::parse(request.body, target.room);
  if (auto* r = std::get_if<RoomApiRequest::Refusal>(&parsed))
    return respond(error(400, r->code, r->message));
  const auto& m = std::get<MoveParticipantRequest>(parsed);
  if (!MoveParticipantRequest::may_move_to(claims.grants, target.room, m.room))
    return respond(error(403, "permission_denied", "the token does not grant roomAdmin for room " + m.room));
  if (!mover_) return respond(error(503, "move_unavailable", "this server does not move participants"));
  // The mover knows the /rtc connections on its own: no room worker is involved.
  if (auto e = mover_->move({target.room, target.identity, m.room, m.reason, m.url}))
    return respond(room_error(*e));
  Json body = {{"identity", target.identity}, {"from", target.room}, {"room", m.room}, {"reason", m.reason}};
  if (!m.url.empty()) body["url"] = m.url;
  respond(json_answer(202, body));
}

void RoomServiceApi::on_room(const http::HttpRequest& request, const Target& target,
                             const AccessTokenClaims& claims, http::Responder respond) const {
  bool names_participant =
      target.kind == Kind::Participant || target.kind == Kind::Mute || target.kind == Kind::Move;
  if (!RoomApiRequest::valid_name(target.room) ||
      (names_participant && !RoomApiRequest::valid_name(target.identity))) {
    respond(error(400, "bad_request", "room names and identities are 1 to 128 bytes without '/'"));
    return;
  }
  if (target.kind == Kind::Move) return move(request, target, claims, respond);
  // The body is checked here, on the HTTP thread; the worker only acts.
  std::function<void(sfu::Room&, const http::Responder&)> act;
  const std::string& method = request.method;
  const std::string identity = target.identity;
  auto refused = [&](const RoomApiRequest::Refusal& r) {
    respond(error(r.code == "data_too_large" ? 413 : 400, r.code, r.message));
  };
  switch (target.kind) {
    case Kind::Room:
      if (method == "GET") {
        act = [](sfu::Room& room, const http::Responder& done) {
          done(json_answer(200, RoomApiJson::room(room)));
        };
        break;
      }
      if (method == "PATCH") return update_room(request, target.room, std::move(respond));
      {  // DELETE: everyone is removed and told why; the room closes at once.
        sfu::MediaWorker& worker = worker_for_(target.room);
        worker.post([&worker, room = target.room, respond = std::move(respond)] {
          if (!worker.close_room(room, "room_deleted")) return respond(no_room(room));
          respond(http::HttpResponse::empty(204));
        });
        return;
      }
    case Kind::Participants:
      act = [](sfu::Room& room, const http::Responder& done) {
        Json list = Json::array();
        for (const auto& p : room.participants()) list.push_back(RoomApiJson::participant(p));
        done(json_answer(200, {{"participants", std::move(list)}}));
      };
      break;
    case Kind::Participant: {
      auto answer = [identity](sfu::Room& room, const http::Responder& done) {
        for (const auto& p : room.participants())
          if (p.info.identity == identity) return done(json_answer(200, RoomApiJson::participant(p)));
        done(error(404, "participant_not_found", "no participant " + identity + " in room " + room.name()));
      };
      if (method == "GET") {
        act = answer;
      } else if (method == "DELETE") {
        act = [identity](sfu::Room& room, const http::Responder& done) {
          if (!room.remove_participant(identity, "removed_by_admin"))
            return done(error(404, "participant_not_found",
                              "no participant " + identity + " in room " + room.name()));
          done(http::HttpResponse::empty(204));
        };
      } else {
        auto parsed = RoomApiRequest::update_participant(request.body);
        if (auto* r = std::get_if<RoomApiRequest::Refusal>(&parsed)) return refused(*r);
        act = [identity, answer, u = std::get<RoomApiRequest::UpdateParticipant>(std::move(parsed))](
                  sfu::Room& room, const http::Responder& done) {
          if (auto e = room.update_participant_by_admin(identity, u.update)) return done(room_error(*e));
          answer(room, done);
        };
      }
      break;
    }
    case Kind::Mute: {
      auto parsed = RoomApiRequest::mute_track(request.body);
      if (auto* r = std::get_if<RoomApiRequest::Refusal>(&parsed)) return refused(*r);
      act = [identity, sid = target.sid, muted = std::get<RoomApiRequest::MuteTrack>(parsed).muted](
                sfu::Room& room, const http::Responder& done) {
        if (auto e = room.mute_track(identity, sid, muted)) return done(room_error(*e));
        for (const auto& p : room.participants())
          for (const auto& t : p.tracks)
            if (t.sid == sid) return done(json_answer(200, {{"track", RoomApiJson::track(t)}}));
        done(error(500, "track_lost", "the track went away"));
      };
      break;
    }
    case Kind::Data: {
      auto parsed = RoomApiRequest::send_data(request.body);
      if (auto* r = std::get_if<RoomApiRequest::Refusal>(&parsed)) return refused(*r);
      act = [d = std::get<RoomApiRequest::SendData>(std::move(parsed))](sfu::Room& room,
                                                                        const http::Responder& done) {
        size_t n = room.send_server_data(d.topic, d.payload, d.destinations, d.reliable);
        done(json_answer(200, {{"recipients", n}, {"e2ee", room.settings().e2ee_required}}));
      };
      break;
    }
    default:
      respond(error(404, "not_found", "no such API path: " + request.path));
      return;
  }
  sfu::MediaWorker& worker = worker_for_(target.room);
  worker.post([&worker, room = target.room, act = std::move(act), respond = std::move(respond)] {
    sfu::Room* r = worker.find_room(room);
    if (!r) return respond(no_room(room));
    act(*r, respond);
  });
}

void RoomServiceApi::participant_stats(const Target& target, http::Responder respond) const {
  if (!RoomApiRequest::valid_name(target.room) || !RoomApiRequest::valid_name(target.identity)) {
    respond(error(400, "bad_request", "room names and identities are 1 to 128 bytes without '/'"));
    return;
  }
  sfu::MediaWorker& worker = worker_for_(target.room);
  worker.post([&worker, room = target.room, identity = target.identity, to_front = config_.post_to_front,
               is_relay = config_.is_turn_relay, respond = std::move(respond)]() mutable {
    sfu::Room* r = worker.find_room(room);
    if (!r) return respond(no_room(room));
    auto stats = r->participant_stats(identity, Clock::now());
    if (!stats) {
      return respond(error(404, "participant_not_found", "no participant " + identity + " in room " + room));
    }
    auto render = [room, stats = std::move(*stats), is_relay = std::move(is_relay), respond = std::move(respond)] {
      respond(json_answer(200, ParticipantStatsJson::render(room, stats, is_relay)));
    };
    if (to_front) return to_front(std::move(render));
    render();
  });
}

void RoomServiceApi::recording(const std::string& method, const std::string& room,
                               const AccessTokenClaims& claims, http::Responder respond) const {
  // Who the manifest names: the token's identity, or its API key.
  std::string by = !claims.identity.empty() ? claims.identity : "api:" + claims.api_key;
  sfu::MediaWorker& worker = worker_for_(room);
  worker.post([&worker, method, room, by = std::move(by), respond = std::move(respond)] {
    sfu::Room* r = worker.find_room(room);
    if (!r) return respond(no_room(room));
    if (method == "GET") return respond(recording_state(room, r->recording(), r->recording_id(), 200));
    std::string id = r->recording_id();
    auto failure = method == "POST" ? r->start_recording_by(by, ct::Clock::now()) : r->stop_recording_by(by);
    if (failure) return respond(room_error(*failure));
    if (method == "POST")
      respond(recording_state(room, true, r->recording_id(), 201));
    else
      respond(recording_state(room, false, id, 200));
  });
}

}  // namespace ct::signal
