#pragma once
// The room service API (docs/api.md, docs/openapi.yaml): JSON over HTTP under
// /api/, authorised by the same access tokens as signaling, sent as
// `Authorization: Bearer <token>`. Requests are limited (rate per address,
// body size), authenticated and parsed on the HTTP thread, and carried out
// on the room's media worker; the answer is sent from there.
//
//   GET    /api                                   the routes below
//   GET    /api/rooms                             every room (roomList)
//   POST   /api/rooms                             create one (roomCreate)
//   GET    /api/rooms/{room}                      one room (roomList or roomAdmin)
//   DELETE /api/rooms/{room}                      remove everyone, close it (roomCreate)
//   GET    /api/rooms/{room}/participants         (roomAdmin or roomList)
//   GET    /api/rooms/{room}/participants/{id}    (roomAdmin or roomList)
//   PATCH  /api/rooms/{room}                      settings (roomAdmin)
//   PATCH  /api/rooms/{room}/participants/{id}    name, metadata, permissions (roomAdmin)
//   DELETE /api/rooms/{room}/participants/{id}    remove (roomAdmin)
//   POST   /api/rooms/{room}/participants/{id}/tracks/{sid}/mute   (roomAdmin)
//   POST   /api/rooms/{room}/participants/{id}/move   to another room (roomAdmin)
//   POST   /api/rooms/{room}/data                 a data message from the server (roomAdmin)
//   GET    /api/rooms/{room}/recording            whether the room is being recorded (roomRecord)
//   POST   /api/rooms/{room}/recording            start recording it (roomRecord)
//   DELETE /api/rooms/{room}/recording            stop (roomRecord)
//   GET    /api/rooms/{room}/participants/{id}/stats   connection and track stats (roomAdmin)
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/HttpHandler.hpp"
#include "net/SocketAddress.hpp"
#include "signal/ApiRateLimiter.hpp"

namespace ct::sfu {
class MediaWorker;
}
namespace ct::http {
class HttpServer;
}

namespace ct::signal {

class AccessTokenVerifier;
class ParticipantMover;
struct AccessTokenClaims;

struct RoomServiceApiConfig {
  size_t max_body_bytes = 32 * 1024;  // larger bodies: 413 body_too_large
  double requests_per_second = 20;    // per client address (token bucket)
  double request_burst = 40;
  bool e2ee_required = false;  // room.e2ee: required: every room is encrypted, whatever a request says
  // Runs a task on the HTTP thread (answers taken on a worker are rendered
  // there); unset: rendered where they were taken.
  std::function<void(std::function<void()>)> post_to_front;
  // Whether an address is one of our TURN server's relay sockets (the stats
  // endpoint's candidate type "relay"); unset: none is.
  std::function<bool(const net::SocketAddress&)> is_turn_relay;
};

class RoomServiceApi {
 public:
  using WorkerForRoom = std::function<sfu::MediaWorker&(const std::string& room)>;

  // What a path names: which resource, and its room, participant and track.
  struct Target {
    enum class Kind { Index, Rooms, Room, Recording, Participants, Participant, Mute, Data, Move, Stats };
    Kind kind = Kind::Index;
    std::string room, identity, sid;
  };
  struct Route {
    const char* method;
    const char* path;  // with {room}, {identity}, {sid} as docs/openapi.yaml writes them
    Target::Kind kind;
  };

  // The verifier and the workers must outlive the installed routes;
  // `worker_for` picks the worker of a room, `workers` are all of them (listings).
  RoomServiceApi(const AccessTokenVerifier& verifier, WorkerForRoom worker_for,
                 std::vector<sfu::MediaWorker*> workers = {}, RoomServiceApiConfig config = {});
  void install(http::HttpServer& server);
  // The signaling service's mover (for .../move); without one a move is "move_unavailable".
  void set_mover(ParticipantMover* mover) { mover_ = mover; }

  // Answers one request as the installed routes do (a cluster's forwarder
  // installed in front of them passes on what it does not forward).
  void serve(http::HttpRequest request, http::Responder respond) {
    handle(std::move(request), std::move(respond));
  }

  // Every route the API serves (GET /api lists them).
  static const std::vector<Route>& routes();
  // The resource a path names, or nothing (404).
  static std::optional<Target> target_of(std::string_view path);
  // The room named by "/api/rooms/{room}/recording", or nothing.
  static std::optional<std::string> recording_room(std::string_view path);
  // The HTTP status for an error a room returns ("recording_active": 409).
  static int status_of(std::string_view code);
  // An error answer: {"code": ..., "message": ...}.
  static http::HttpResponse error(int status, std::string_view code, std::string_view message);
  // Requests refused by the per-address rate limit (429), since start.
  uint64_t rate_limited() const { return rate_limited_.load(std::memory_order_relaxed); }

 private:
  void handle(http::HttpRequest request, http::Responder respond);
  // The bearer's claims when its token is valid; otherwise answers 401.
  std::optional<AccessTokenClaims> authenticate(const http::HttpRequest& request,
                                                const http::Responder& respond) const;
  void index(const http::Responder& respond) const;
  void list_rooms(http::Responder respond) const;
  void create_room(const http::HttpRequest& request, http::Responder respond) const;
  // PATCH /api/rooms/{room}: the named settings change; 409 room_not_empty for e2ee with people in the room.
  void update_room(const http::HttpRequest& request, const std::string& name, http::Responder respond) const;
  void on_room(const http::HttpRequest& request, const Target& target, const AccessTokenClaims& claims,
               http::Responder respond) const;
  // The stats snapshot is taken on the room's worker and rendered on the HTTP thread.
  void participant_stats(const Target& target, http::Responder respond) const;
  void recording(const std::string& method, const std::string& room, const AccessTokenClaims& claims,
                 http::Responder respond) const;

  const AccessTokenVerifier& verifier_;
  WorkerForRoom worker_for_;
  std::vector<sfu::MediaWorker*> workers_;
  RoomServiceApiConfig config_;
  std::unique_ptr<ApiRateLimiter> limiter_;
  std::atomic<uint64_t> rate_limited_{0};
  ParticipantMover* mover_ = nullptr;
  void move(const http::HttpRequest& request, const Target& target, const AccessTokenClaims& claims,
            const http::Responder& respond) const;
};

}  // namespace ct::signal
