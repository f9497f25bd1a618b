#pragma once
// An HTTP/1.1 server: exact and prefix routes, static files, CORS for
// WHIP-style clients, connection caps, and a hand-off point for WebSocket
// upgrades. It knows nothing of what it serves. Beast and Asio stay out of
// this header; the server lives behind a pimpl.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/HttpHandler.hpp"
#include "http/HttpServerConfig.hpp"

namespace boost::asio {
class io_context;
}

namespace ct::http {

class HttpServer {
 public:
  // `io` must outlive the server. It may be run by one or more threads; every
  // connection works on its own strand.
  HttpServer(boost::asio::io_context& io, HttpServerConfig config);
  ~HttpServer();  // stop()s

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes are added before start(). An exact path wins over a prefix; the
  // longest prefix wins among prefixes. HEAD falls back to a GET route.
  void add_route(std::string method, std::string path, Handler handler);
  void add_prefix_route(std::string method, std::string prefix, Handler handler);

  // A GET with "Connection: Upgrade" and "Upgrade: websocket" to `path` is
  // handed to `handler` instead of the routes. Added before start().
  void set_upgrade_handler(std::string path, UpgradeHandler handler);

  // Binds and starts accepting. Throws std::runtime_error naming the address
  // and the reason when the address cannot be bound (e.g. the port is taken).
  void start();

  // The bound port (the real one when the config asked for port 0).
  uint16_t port() const;

  // Stops accepting and closes every open connection. Any thread; idempotent.
  void stop();

  // Open HTTP connections (upgraded ones are no longer counted).
  size_t connection_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ct::http
