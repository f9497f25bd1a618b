#pragma once
// The open HTTP connections of one server, so that the server can count them
// against its cap and close them all when it stops. Thread-safe: connections
// come and go on their own strands, stop() may come from any thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ct::http {

class HttpConnection;

class OpenConnections {
 public:
  // Registers a connection; the id removes it again (from its destructor).
  uint64_t add(std::weak_ptr<HttpConnection> connection);
  void remove(uint64_t id);

  size_t count() const;

  // The connections still alive now.
  std::vector<std::shared_ptr<HttpConnection>> snapshot() const;

 private:
  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::weak_ptr<HttpConnection>> connections_;
};

}  // namespace ct::http
