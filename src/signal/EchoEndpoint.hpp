#pragma once
// The echo test over HTTP, WHIP-shaped (RFC 9725 §4.2): POST /echo with an SDP
// offer answers 201 Created, the SDP answer and a Location for the session;
// DELETE on that Location ends it. The session itself runs on a media worker.
#include <atomic>
#include <vector>

#include "http/HttpHandler.hpp"

namespace ct::sfu {
class MediaWorker;
}
namespace ct::http {
class HttpServer;
}

namespace ct::signal {

class EchoEndpoint {
 public:
  // Workers are used round-robin; they must outlive the endpoint's routes.
  explicit EchoEndpoint(std::vector<sfu::MediaWorker*> workers);
  void install(http::HttpServer& server);

 private:
  void create(http::HttpRequest request, http::Responder respond);
  void remove(http::HttpRequest request, http::Responder respond);

  std::vector<sfu::MediaWorker*> workers_;
  std::atomic<unsigned> next_{0};
};

}  // namespace ct::signal
