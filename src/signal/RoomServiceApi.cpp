#include "signal/RoomServiceApi.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "http/HttpServer.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "signal/AccessToken.hpp"

namespace ct::signal {

namespace {

constexpr std::string_view kRoomsPrefix = "/api/rooms/";
constexpr std::string_view kRecordingSuffix = "/recording";

http::HttpResponse recording_state(const std::string& room, bool active, const std::string& id, int status) {
  nlohmann::json body = {{"room", room}, {"recording", {{"active", active}, {"id", nullptr}}}};
  if (!id.empty()) body["recording"]["id"] = id;
  return http::HttpResponse::json(status, body.dump());
}

}  // namespace

RoomServiceApi::RoomServiceApi(const AccessTokenVerifier& verifier, WorkerForRoom worker_for)
    : verifier_(verifier), worker_for_(std::move(worker_for)) {}

void RoomServiceApi::install(http::HttpServer& server) {
  for (const char* method : {"GET", "POST", "DELETE"}) {
    server.add_prefix_route(method, std::string(kRoomsPrefix),
                            [this](http::HttpRequest req, http::Responder respond) {
                              recording(std::move(req), std::move(respond));
                            });
  }
}

std::optional<std::string> RoomServiceApi::recording_room(std::string_view path) {
  if (!path.starts_with(kRoomsPrefix) || !path.ends_with(kRecordingSuffix)) return std::nullopt;
  path.remove_prefix(kRoomsPrefix.size());
  if (path.size() <= kRecordingSuffix.size()) return std::nullopt;
  path.remove_suffix(kRecordingSuffix.size());
  // Room names are at most 128 characters (as tokens allow).
  if (path.size() > 128) return std::nullopt;
  return std::string(path);
}

int RoomServiceApi::status_of(std::string_view code) {
  if (code == "recording_active" || code == "recording_not_active") return 409;
  if (code == "recording_disabled") return 503;
  return 500;  // recording_failed, and anything new: the server's fault until said otherwise
}

http::HttpResponse RoomServiceApi::error(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"code", code}, {"message", message}};
  return http::HttpResponse::json(status, body.dump());
}

std::optional<AccessTokenClaims> RoomServiceApi::authorise_recording(const http::HttpRequest& request,
                                                                     const std::string& room,
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
  const VideoGrants& grants = result->grants;
  // roomRecord applies to the room the token names, or to every room when it names none.
  if (!grants.room_record || (!grants.room.empty() && grants.room != room)) {
    respond(error(403, "recording_not_allowed", "the token does not grant roomRecord for room " + room));
    return std::nullopt;
  }
  return std::move(result).value();
}

void RoomServiceApi::recording(http::HttpRequest request, http::Responder respond) {
  auto room = recording_room(request.path);
  if (!room) {
    respond(error(404, "not_found", "no such API path: " + request.path));
    return;
  }
  auto claims = authorise_recording(request, *room, respond);
  if (!claims) return;
  // Who the manifest names: the token's identity, or its API key.
  std::string by = !claims->identity.empty() ? claims->identity : "api:" + claims->api_key;
  sfu::MediaWorker& worker = worker_for_(*room);
  worker.post([&worker, method = request.method, room = *room, by = std::move(by),
               respond = std::move(respond)] {
    sfu::Room* r = worker.find_room(room);
    if (!r) {
      respond(error(404, "room_not_found", "no room " + room + " on this server"));
      return;
    }
    if (method == "GET") {
      respond(recording_state(room, r->recording(), r->recording_id(), 200));
      return;
    }
    std::string id = r->recording_id();
    auto failure = method == "POST" ? r->start_recording_by(by, ct::Clock::now()) : r->stop_recording_by(by);
    if (failure) {
      respond(error(status_of(failure->code), failure->code, failure->message));
      return;
    }
    if (method == "POST")
      respond(recording_state(room, true, r->recording_id(), 201));
    else
      respond(recording_state(room, false, id, 200));
  });
}

}  // namespace ct::signal
