#include "app/ApiForwarder.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "app/ApiClient.hpp"
#include "app/NodeRouter.hpp"
#include "core/Log.hpp"
#include "http/HttpServer.hpp"
#include "signal/AccessToken.hpp"
#include "signal/RoomServiceApi.hpp"

namespace ct::app {

namespace asio = boost::asio;
using Kind = signal::RoomServiceApi::Target::Kind;

namespace {

constexpr long kForwardTimeoutSeconds = 5;
constexpr std::string_view kBearer = "Bearer ";

// The request's path again, each segment percent-encoded (it arrives decoded).
std::string encoded_path(std::string_view path) {
  std::string out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out += '/' + ApiClient::escape_segment(std::string(path.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

ApiClient client_for(const cluster::NodeEntry& node, const http::HttpRequest& request) {
  std::string_view auth = request.header("authorization");
  ApiClient client(node.url, std::string(auth.substr(std::min(auth.size(), kBearer.size()))),
                   kForwardTimeoutSeconds);
  client.add_header(std::string(ApiForwarder::kForwardedHeader) + ": 1");
  return client;
}

// A created room's answer names the node that hosts it.
http::Responder naming_node(http::Responder respond, std::string node) {
  return [respond = std::move(respond), node = std::move(node)](http::HttpResponse r) {
    auto room = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status == 201 && room.is_object()) {
      room["node"] = node;
      r = http::HttpResponse::json(201, room.dump());
    }
    respond(std::move(r));
  };
}

http::HttpResponse unreachable(const cluster::NodeEntry& node, const std::string& why) {
  spdlog::warn("api: node '{}' that hosts the room did not answer: {}", node.id, why);
  return signal::RoomServiceApi::error(502, "node_unreachable",
                                       "the node that hosts this room cannot be reached; try again");
}

}  // namespace

struct ApiForwarder::Worker {
  Worker() : work(asio::make_work_guard(io)), thread([this] { io.run(); }) {}
  ~Worker() {
    work.reset();
    io.stop();
    thread.join();
  }
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
};

ApiForwarder::ApiForwarder(NodeRouter& node, signal::RoomServiceApi& api, asio::io_context& front_io,
                           const signal::AccessTokenVerifier& verifier)
    : node_(node), api_(api), front_io_(front_io), verifier_(verifier), worker_(std::make_unique<Worker>()) {}

void ApiForwarder::serve_here(http::HttpRequest request, http::Responder respond) {
  asio::post(front_io_, [this, request = std::move(request), respond = std::move(respond)]() mutable {
    api_.serve(std::move(request), std::move(respond));
  });
}

ApiForwarder::~ApiForwarder() = default;

void ApiForwarder::install(http::HttpServer& server) {
  auto handler = [this](http::HttpRequest req, http::Responder respond) {
    handle(std::move(req), std::move(respond));
  };
  server.add_route("GET", "/api/rooms", handler);
  server.add_route("POST", "/api/rooms", handler);
  for (const char* method : {"GET", "POST", "PATCH", "DELETE"})
    server.add_prefix_route(method, "/api/rooms/", handler);
}

void ApiForwarder::handle(http::HttpRequest request, http::Responder respond) {
  auto target = signal::RoomServiceApi::target_of(request.path);
  // Answered here: forwarded requests, requests without a token (401 here,
  // no need to ask Redis), and paths that name no room.
  bool anonymous = !std::string_view(request.header("authorization")).starts_with(kBearer);
  if (!request.header(kForwardedHeader).empty() || anonymous || !target) {
    return api_.serve(std::move(request), std::move(respond));
  }
  if (target->kind == Kind::Rooms && request.method == "POST")
    return create_placed(std::move(request), std::move(respond));
  if (target->kind == Kind::Rooms) return list_everywhere(std::move(request), std::move(respond));
  const std::string room = target->room;
  node_.host_elsewhere(room, [this, request = std::move(request),
                              respond = std::move(respond)](std::optional<cluster::NodeEntry> host) mutable {
    if (!host) return serve_here(std::move(request), std::move(respond));
    asio::post(worker_->io, [host = std::move(host), request = std::move(request),
                             respond = std::move(respond)]() mutable {
      ApiClient client = client_for(*host, request);
      std::optional<std::string> body;
      if (!request.body.empty()) body = request.body;
      ApiResponse r = client.request(request.method, encoded_path(request.path), body);
      if (r.status == 0) return respond(unreachable(*host, r.error));
      respond(r.body.empty() ? http::HttpResponse::empty(int(r.status))
                             : http::HttpResponse::json(int(r.status), std::move(r.body)));
    });
  });
}

// This node's answer first (it checks the token), then each other node's rooms.
void ApiForwarder::list_everywhere(http::HttpRequest request, http::Responder respond) {
  node_.other_nodes([this, request = std::move(request),
                     respond = std::move(respond)](std::vector<cluster::NodeEntry> others) mutable {
    auto local = request;
    serve_here(std::move(local), [this, others = std::move(others), request = std::move(request),
                                  respond = std::move(respond)](http::HttpResponse mine) mutable {
      asio::post(worker_->io, [others = std::move(others), request = std::move(request),
                               respond = std::move(respond), mine = std::move(mine)]() mutable {
        auto merged = nlohmann::json::parse(mine.body, nullptr, false);
        if (mine.status != 200 || !merged.is_object() || !merged["rooms"].is_array())
          return respond(std::move(mine));
        for (const auto& node : others) {
          ApiResponse r = client_for(node, request).request("GET", "/api/rooms");
          auto theirs = nlohmann::json::parse(r.body, nullptr, false);
          if (r.status != 200 || !theirs.is_object() || !theirs["rooms"].is_array()) {
            spdlog::warn("api: rooms of node '{}' left out of the list ({})", node.id,
                         r.status ? std::to_string(r.status) : r.error);
            continue;
          }
          for (auto& room : theirs["rooms"]) merged["rooms"].push_back(std::move(room));
        }
        respond(http::HttpResponse::json(200, merged.dump()));
      });
    });
  });
}

// POST /api/rooms: placed as a first join would place the room (the
// least-loaded live node that is not draining, this node's region first),
// then created there. What this node refuses anyway (a bad token or body) it
// answers itself, before anything is claimed.
void ApiForwarder::create_placed(http::HttpRequest request, http::Responder respond) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  auto claims = verifier_.verify(std::string_view(request.header("authorization")).substr(kBearer.size()),
                                 std::chrono::system_clock::now());
  const bool named = body.is_object() && body.contains("name") && body["name"].is_string() &&
                     !body["name"].get<std::string>().empty();
  if (!claims || !claims.value().grants.room_create || !named)
    return serve_here(std::move(request), std::move(respond));
  node_.place_room(body["name"].get<std::string>(),
                   [this, request = std::move(request),
                    respond = std::move(respond)](cluster::PlaceOutcome outcome) mutable {
                     if (auto* failed = std::get_if<cluster::PlaceFailed>(&outcome)) {
                       if (failed->code == "no_node")
                         return respond(signal::RoomServiceApi::error(
                             503, "node_draining", "every server is shutting down; try again"));
                       return respond(signal::RoomServiceApi::error(
                           503, "cluster_unavailable",
                           "the cluster cannot place this room now (Redis unreachable); try again"));
                     }
                     auto& placed = std::get<cluster::Placed>(outcome);
                     auto answer = naming_node(std::move(respond), placed.node.id);
                     if (placed.here) return serve_here(std::move(request), std::move(answer));
                     asio::post(worker_->io, [host = std::move(placed.node), request = std::move(request),
                                              answer = std::move(answer)]() mutable {
                       ApiResponse r = client_for(host, request).request("POST", "/api/rooms", request.body);
                       if (r.status == 0) return answer(unreachable(host, r.error));
                       answer(r.body.empty() ? http::HttpResponse::empty(int(r.status))
                                             : http::HttpResponse::json(int(r.status), std::move(r.body)));
                     });
                   });
}

}  // namespace ct::app
