#pragma once
// Where one HttpServer listens, what it serves from disk, and its limits.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ct::http {

struct HttpServerConfig {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 7880;                       // 0 = ephemeral (tests)
  std::string static_root;                    // "" = no static files
  size_t max_body_bytes = 64 * 1024;          // larger bodies are answered 413
  size_t max_header_bytes = 8192;             // larger headers are answered 431
  std::chrono::seconds idle_timeout{30};      // per read or write on a connection
  std::chrono::seconds response_timeout{15};  // a handler that does not answer by then: 504
  size_t max_connections = 1000;              // beyond it new connections get 503 and a close
};

}  // namespace ct::http
