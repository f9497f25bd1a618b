#include "signal/WhepEndpoint.hpp"

#include "core/Clock.hpp"
#include "core/Log.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "signal/HttpSdpSessionRegistry.hpp"
#include "signal/RtcSessionListener.hpp"
#include "signal/SdpFragment.hpp"
#include "signal/WhepSession.hpp"

namespace ct::signal {

namespace {

constexpr std::string_view kPrefix = "/whep/";
constexpr size_t kMaxName = 128;  // room names and identities, as tokens allow

http::HttpResponse error(int status, std::string_view code, std::string_view message) {
  return HttpSdpResource::error(status, code, message);
}

}  // namespace

WhepEndpoint::WhepEndpoint(const RtcSessionListener& service)
    : service_(service),
      sessions_(HttpSdpSessionRegistry::for_endpoint(
          *this, "WHEP",
          "WHEP resources are /whep/{room}/{participant} and /whep/{room}/{participant}/{session}")) {}

WhepEndpoint::~WhepEndpoint() = default;

void WhepEndpoint::install(http::HttpServer& server) { sessions_->install(server, std::string(kPrefix)); }

WhepEndpoint::Stats WhepEndpoint::stats() const { return sessions_->stats(); }

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
    if (parts[i].empty() || parts[i].size() > (i == 2 ? HttpSdpSessionRegistry::kSessionIdLength : kMaxName))
      return std::nullopt;
  return Target{std::string(parts[0]), std::string(parts[1]), std::string(count == 3 ? parts[2] : "")};
}

std::string WhepEndpoint::location(std::string_view room, std::string_view participant,
                                   std::string_view session) {
  return std::string(kPrefix) + HttpSdpResource::percent_encoded(room) + "/" +
         HttpSdpResource::percent_encoded(participant) + "/" + std::string(session);
}

int WhepEndpoint::status_of(std::string_view code) {
  if (code == "bad_sdp") return 400;
  if (code == "room_not_found" || code == "participant_not_found" || code == "track_not_found") return 404;
  if (code == "room_full" || code == "e2ee_unsupported") return 409;
  if (code == "no_matching_tracks") return 422;
  return 500;
}

void WhepEndpoint::post_offer(http::HttpRequest request, http::Responder respond) const {
  Target target = *parse_path(request.path);  // the route parsed it
  auto checked = HttpSdpSessionRegistry::check_offer(
      request, service_.verifier(),
      [&target](const VideoGrants& g) { return g.room_join && g.room == target.room && g.can_subscribe; },
      "the token does not grant joining and subscribing in room " + target.room);
  if (auto* refused = std::get_if<http::HttpResponse>(&checked)) return respond(std::move(*refused));
  const auto& claims = std::get<AccessTokenClaims>(checked);

  SdpFragment ice = SdpFragment::ice_of(request.body);
  std::string id = HttpSdpSessionRegistry::new_session_id();
  sfu::ParticipantInfo info;
  info.identity = claims.identity + "-whep-" + id.substr(0, 8);
  info.name = claims.name.empty() ? claims.identity : claims.name;
  info.metadata = claims.metadata;
  info.kind = "whep";
  info.hidden = true;
  info.can_publish = false;
  info.can_subscribe = true;
  info.can_publish_data = false;
  info.receives_only_from = target.participant;

  sfu::MediaWorker& worker = service_.worker_for(target.room);
  auto session =
      std::make_shared<WhepSession>(id, target.room, info.identity, worker,
                                    HttpSdpResource(location(target.room, target.participant, id),
                                                    std::string(ice.ufrag()), std::string(ice.pwd())),
                                    request.body, sessions_->on_removed());
  spdlog::info("whep: {} plays {} in room '{}' from {} (session {})", info.identity, target.participant,
               target.room, request.remote_ip, id);
  auto ice_servers = service_.ice_servers_for(info.identity);
  worker.post([sessions = sessions_, session, info = std::move(info), respond = std::move(respond),
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
    auto answered = session->renegotiate(*room, session->offer());
    if (auto* failure = std::get_if<sfu::event::Error>(&answered)) {
      room->leave(info.identity, "left");
      return respond(error(status_of(failure->code), failure->code, failure->message));
    }
    sessions->add(session);
    respond(sessions->created(*session, std::move(std::get<std::string>(answered)), ice_servers));
  });
}

}  // namespace ct::signal
