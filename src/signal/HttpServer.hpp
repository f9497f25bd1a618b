#pragma once
// The HTTP/1.1 front door of `ciphertalk serve` (DESIGN.md §2): exact and
// prefix routes, the web client's static files, CORS for WHIP-style clients,
// and a hand-off point for WebSocket upgrades. Beast and Asio stay out of this
// header; the server lives behind a pimpl.
#include "signal/HttpTypes.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace ct::signal {

class HttpSession;

struct HttpServerConfig {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 7880;                   // 0 = ephemeral (tests)
  std::string static_root;                // "" = no static files
  size_t max_body_bytes = 64 * 1024;      // larger bodies are answered 413
  size_t max_header_bytes = 8192;         // larger headers are answered 431
  std::chrono::seconds idle_timeout{30};  // per read or write on a connection
  std::chrono::seconds response_timeout{15};  // a handler that does not answer by then: 504
  size_t max_connections = 1000;          // beyond it new connections get 503 and a close
};

// A connection handed over after an HTTP Upgrade request (the /rtc WebSocket).
// Its definition (Beast stream, parsed request, read-ahead buffer) is in
// signal/HttpUpgrade.hpp, which only the WebSocket code needs to include.
struct UpgradedConnection;

// Receives the upgrade request and owns the connection from then on. Runs on
// the connection's strand.
using UpgradeHandler = std::function<void(HttpRequest, std::unique_ptr<UpgradedConnection>)>;

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
  friend class HttpSession;
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ct::signal
