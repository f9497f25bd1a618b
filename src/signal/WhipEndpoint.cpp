#include "signal/WhipEndpoint.hpp"

#include "core/Clock.hpp"
#include "core/Log.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "signal/CandidateRequests.hpp"
#include "signal/HttpSdpSessionRegistry.hpp"
#include "signal/RtcSessionListener.hpp"
#include "signal/SdpFragment.hpp"
#include "signal/WhipSession.hpp"

namespace ct::signal {

namespace {

constexpr std::string_view kPrefix = "/whip/";
constexpr size_t kMaxRoomName = 128;  // as tokens allow

http::HttpResponse error(int status, std::string_view code, std::string_view message) {
  return HttpSdpResource::error(status, code, message);
}

}  // namespace

WhipEndpoint::WhipEndpoint(const RtcSessionListener& service)
    : service_(service),
      sessions_(HttpSdpSessionRegistry::for_endpoint(
          *this, "WHIP", "WHIP resources are /whip/{room} and /whip/{room}/{session}")) {}

WhipEndpoint::~WhipEndpoint() = default;

void WhipEndpoint::install(http::HttpServer& server) { sessions_->install(server, std::string(kPrefix)); }

WhipEndpoint::Stats WhipEndpoint::stats() const { return sessions_->stats(); }

std::optional<WhipEndpoint::Target> WhipEndpoint::parse_path(std::string_view path) {
  if (!path.starts_with(kPrefix)) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  Target target;
  size_t slash = path.find('/');
  target.room = std::string(path.substr(0, slash));
  if (slash != std::string_view::npos) {
    std::string_view session = path.substr(slash + 1);
    if (session.empty() || session.size() > HttpSdpSessionRegistry::kSessionIdLength ||
        session.find('/') != std::string_view::npos)
      return std::nullopt;
    target.session = std::string(session);
  }
  if (target.room.empty() || target.room.size() > kMaxRoomName) return std::nullopt;
  return target;
}

std::string WhipEndpoint::location(std::string_view room, std::string_view session) {
  return std::string(kPrefix) + HttpSdpResource::percent_encoded(room) + "/" + std::string(session);
}

int WhipEndpoint::status_of(std::string_view code) {
  if (code == "bad_sdp" || code == "too_many_tracks") return 400;
  if (code == "publish_not_allowed") return 403;
  if (code == "room_full" || code == "e2ee_unsupported") return 409;
  return 500;
}

void WhipEndpoint::post_offer(http::HttpRequest request, http::Responder respond) const {
  std::string room = parse_path(request.path)->room;  // the route parsed it
  auto checked = HttpSdpSessionRegistry::check_offer(
      request, service_.verifier(),
      [&room](const VideoGrants& g) { return g.room_join && g.room == room && g.can_publish && !g.hidden; },
      "the token does not grant joining and publishing in room " + room);
  if (auto* refused = std::get_if<http::HttpResponse>(&checked)) return respond(std::move(*refused));
  const auto& claims = std::get<AccessTokenClaims>(checked);

  // The client's ICE credentials, which a PATCH is checked against.
  SdpFragment ice = SdpFragment::ice_of(request.body);
  std::string id = HttpSdpSessionRegistry::new_session_id();
  sfu::MediaWorker& worker = service_.worker_for(room);
  auto session = std::make_shared<WhipSession>(
      id, room, claims.identity, worker,
      HttpSdpResource(location(room, id), std::string(ice.ufrag()), std::string(ice.pwd())), request.body,
      sessions_->on_removed());
  sessions_->add(session);

  sfu::ParticipantInfo info;
  info.identity = claims.identity;
  info.name = claims.name;
  info.metadata = claims.metadata;
  info.kind = "ingress";
  info.can_publish = true;
  info.can_subscribe = false;
  info.can_publish_data = false;
  sfu::RoomSettings settings;
  settings.e2ee_required = service_.config().e2ee_required;
  spdlog::info("whip: {} publishes into room '{}' from {} (session {})", info.identity, room,
               request.remote_ip, id);
  auto ice_servers = service_.ice_servers_for(info.identity);
  worker.post([sessions = sessions_, session, info = std::move(info), settings, respond = std::move(respond),
               ice_servers = std::move(ice_servers)]() mutable {
    sfu::Room& room = session->worker().room(session->room(), settings);
    if (auto refused = room.join(info, session, Clock::now())) {
      sessions->erase(session->id());
      return respond(error(status_of(refused->code), refused->code, refused->message));
    }
    session->clear_outcome();
    CandidateRequests::publisher_offer(room, info.identity, session->offer(), {}, Clock::now());
    auto failure = session->take_error();
    auto answer = session->take_answer();
    if (!failure && answer && answer->tracks.empty())
      failure = sfu::event::Error{"bad_sdp", "the offer sends no audio or video (a WHIP offer is sendonly)"};
    if (failure || !answer) {
      room.leave(info.identity, "left");
      sessions->erase(session->id());
      if (!failure) failure = sfu::event::Error{"bad_sdp", "the offer was not answered"};
      return respond(error(status_of(failure->code), failure->code, failure->message));
    }
    respond(sessions->created(*session, std::move(answer->sdp), ice_servers));
  });
}

}  // namespace ct::signal
