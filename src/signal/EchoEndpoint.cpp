#include "signal/EchoEndpoint.hpp"

#include <charconv>

#include "http/HttpServer.hpp"
#include "sfu/MediaWorker.hpp"

namespace ct::signal {

static constexpr std::string_view kResourcePrefix = "/echo/";

EchoEndpoint::EchoEndpoint(std::vector<sfu::MediaWorker*> workers) : workers_(std::move(workers)) {}

void EchoEndpoint::install(http::HttpServer& server) {
  server.add_route("POST", "/echo", [this](http::HttpRequest req, http::Responder r) {
    if (limited(req, r)) return;
    create(std::move(req), std::move(r));
  });
  server.add_prefix_route("DELETE", std::string(kResourcePrefix),
                          [this](http::HttpRequest req, http::Responder r) {
                            if (limited(req, r)) return;
                            remove(std::move(req), std::move(r));
                          });
}

bool EchoEndpoint::limited(const http::HttpRequest& request, const http::Responder& respond) {
  unsigned wait = limiter_.retry_after(request.remote_ip, Clock::now());
  if (wait == 0) return false;
  auto r = http::HttpResponse::text(429, "too many echo requests from your address; slow down\n");
  r.headers.emplace_back("Retry-After", std::to_string(wait));
  respond(std::move(r));
  return true;
}

void EchoEndpoint::create(http::HttpRequest request, http::Responder respond) {
  // RFC 9725 §4.2: the offer is application/sdp.
  const std::string& type = request.header("content-type");
  if (type.rfind("application/sdp", 0) != 0) {
    respond(http::HttpResponse::text(415, "expected Content-Type: application/sdp\n"));
    return;
  }
  if (request.body.empty()) {
    respond(http::HttpResponse::text(400, "empty SDP offer\n"));
    return;
  }
  sfu::MediaWorker* worker = workers_[next_++ % workers_.size()];
  worker->post([worker, offer = std::move(request.body), respond = std::move(respond)] {
    auto result = worker->create_echo(offer);
    if (result.status != 201) {
      respond(http::HttpResponse::text(result.status, result.body + "\n"));
      return;
    }
    http::HttpResponse response;
    response.status = 201;
    response.content_type = "application/sdp";
    response.body = std::move(result.body);
    response.headers.emplace_back("Location", std::string(kResourcePrefix) + result.id);
    respond(std::move(response));
  });
}

void EchoEndpoint::remove(http::HttpRequest request, http::Responder respond) {
  std::string id = request.path.substr(kResourcePrefix.size());
  // Ids are "<worker>-<token>": the worker index says who owns the session.
  unsigned index = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), index);
  if (ec != std::errc() || end == id.data() + id.size() || *end != '-' || index >= workers_.size()) {
    respond(http::HttpResponse::text(404, "no such echo session\n"));
    return;
  }
  sfu::MediaWorker* worker = workers_[index];
  worker->post([worker, id = std::move(id), respond = std::move(respond)] {
    if (worker->delete_echo(id)) {
      respond(http::HttpResponse::empty(200));
    } else {
      respond(http::HttpResponse::text(404, "no such echo session\n"));
    }
  });
}

}  // namespace ct::signal
