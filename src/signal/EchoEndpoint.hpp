#pragma once
// The echo test over HTTP, WHIP-shaped (RFC 9725 §4.2): POST /echo with an SDP
// offer answers 201 Created, the SDP answer and a Location for the session;
// DELETE on that Location ends it. The session itself runs on a media worker.
// It takes no token, so each client address is rate limited like WHIP.
#include <atomic>
#include <vector>

#include "http/HttpHandler.hpp"
#include "signal/ApiRateLimiter.hpp"

namespace ct::sfu {
class MediaWorker;
}
namespace ct::http {
class HttpServer;
}

namespace ct::signal {

class EchoEndpoint {
 public:
  static constexpr double kRequestsPerSecond = 5;
  static constexpr double kRequestBurst = 40;

  // Workers are used round-robin; they must outlive the endpoint's routes.
  explicit EchoEndpoint(std::vector<sfu::MediaWorker*> workers);
  void install(http::HttpServer& server);

 private:
  void create(http::HttpRequest request, http::Responder respond);
  void remove(http::HttpRequest request, http::Responder respond);
  // Answers 429 (with Retry-After) and returns true when the client's address is over the rate.
  bool limited(const http::HttpRequest& request, const http::Responder& respond);

  std::vector<sfu::MediaWorker*> workers_;
  std::atomic<unsigned> next_{0};
  ApiRateLimiter limiter_{kRequestsPerSecond, kRequestBurst};
};

}  // namespace ct::signal
