#pragma once
// The room service API from any node of a cluster (docs/api.md, "From any
// node"): a call for a room that another live node hosts is forwarded over
// HTTP to that node, which authenticates and answers it, and the answer goes
// back as it came; `GET /api/rooms` lists the rooms of every live node;
// `POST /api/rooms` places the new room as its first join would and creates
// it on that node, whose id the answer carries (`node`). The
// rest goes to this node's RoomServiceApi. Installed in front of the API's
// own routes, with --redis only. Forwarded requests carry
// X-CipherTalk-Forwarded, and a node answers those itself. The HTTP calls to
// other nodes run on the forwarder's own thread, never the front thread.
#include <memory>
#include <thread>

#include "http/HttpHandler.hpp"

namespace boost::asio {
class io_context;
}
namespace ct::http {
class HttpServer;
}
namespace ct::signal {
class AccessTokenVerifier;
class RoomServiceApi;
}  // namespace ct::signal

namespace ct::app {

class NodeRouter;

class ApiForwarder {
 public:
  static constexpr const char* kForwardedHeader = "x-ciphertalk-forwarded";

  // `node`, `api`, `front_io` (where `api` runs) and `verifier` (the API's
  // keys: only a token with roomCreate places a room) must outlive the forwarder.
  ApiForwarder(NodeRouter& node, signal::RoomServiceApi& api, boost::asio::io_context& front_io,
               const signal::AccessTokenVerifier& verifier);
  ~ApiForwarder();  // finishes the forward under way, drops the rest (their callers get 500)
  ApiForwarder(const ApiForwarder&) = delete;
  ApiForwarder& operator=(const ApiForwarder&) = delete;

  // Before RoomServiceApi::install: the first route added for a path wins.
  void install(http::HttpServer& server);

 private:
  void handle(http::HttpRequest request, http::Responder respond);
  void list_everywhere(http::HttpRequest request, http::Responder respond);
  void create_placed(http::HttpRequest request, http::Responder respond);
  // This node's API answers, on the front thread.
  void serve_here(http::HttpRequest request, http::Responder respond);

  struct Worker;
  NodeRouter& node_;
  signal::RoomServiceApi& api_;
  boost::asio::io_context& front_io_;
  const signal::AccessTokenVerifier& verifier_;
  std::unique_ptr<Worker> worker_;
};

}  // namespace ct::app
