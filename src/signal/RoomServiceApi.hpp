#pragma once
// The room service API (docs/api.md): JSON over HTTP under /api/rooms/,
// authorised by the same access tokens as signaling, sent as
// `Authorization: Bearer <token>`. Requests are checked on the HTTP thread
// and carried out on the room's media worker; the answer is sent from there.
//
//   GET    /api/rooms/{room}/recording   whether the room is being recorded
//   POST   /api/rooms/{room}/recording   start recording it
//   DELETE /api/rooms/{room}/recording   stop
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/HttpHandler.hpp"

namespace ct::sfu {
class MediaWorker;
}
namespace ct::http {
class HttpServer;
}

namespace ct::signal {

class AccessTokenVerifier;
struct AccessTokenClaims;

class RoomServiceApi {
 public:
  using WorkerForRoom = std::function<sfu::MediaWorker&(const std::string& room)>;

  // Both must outlive the installed routes.
  RoomServiceApi(const AccessTokenVerifier& verifier, WorkerForRoom worker_for);
  void install(http::HttpServer& server);

  // The room named by "/api/rooms/{room}/recording", or nothing.
  static std::optional<std::string> recording_room(std::string_view path);
  // The HTTP status for an error a room returns ("recording_active": 409).
  static int status_of(std::string_view code);
  // An error answer: {"code": ..., "message": ...}.
  static http::HttpResponse error(int status, std::string_view code, std::string_view message);

 private:
  void recording(http::HttpRequest request, http::Responder respond);
  // The bearer's claims when its token is valid and grants roomRecord for
  // `room`; otherwise answers 401 or 403 and returns nothing.
  std::optional<AccessTokenClaims> authorise_recording(const http::HttpRequest& request,
                                                       const std::string& room,
                                                       const http::Responder& respond) const;

  const AccessTokenVerifier& verifier_;
  WorkerForRoom worker_for_;
};

}  // namespace ct::signal
