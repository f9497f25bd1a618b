#pragma once
// A non-blocking TCP listener on the TURN server's net::EventLoop (for TURN
// over TCP and over TLS): accepts every waiting connection on each wake-up and
// hands it over, with TCP_NODELAY set (small STUN and media messages must
// not wait for Nagle).
#include <cstdint>
#include <functional>
#include <memory>

#include "net/SocketAddress.hpp"

namespace ct::net {
class EventLoop;
}

namespace ct::turn {

class StreamListener {
 public:
  // The accepted descriptor (non-blocking, close-on-exec) now belongs to the
  // handler. `server` is the connection's local address (the listener's,
  // or the one the client reached when the listener is on a wildcard).
  using AcceptHandler =
      std::function<void(int fd, const net::SocketAddress& client, const net::SocketAddress& server)>;

  struct Stats {
    uint64_t accepted = 0;
    // accept() failed for lack of descriptors or memory; the listener comes
    // back on a timer (the waiting connections raise no new edge).
    uint64_t resource_retries = 0;
  };

  // Binds and listens at once; throws std::system_error naming the address.
  StreamListener(net::EventLoop& loop, const net::SocketAddress& bind_address);
  ~StreamListener();
  StreamListener(const StreamListener&) = delete;
  StreamListener& operator=(const StreamListener&) = delete;

  // Joins the loop; connections before this wait in the kernel's backlog.
  void start(AcceptHandler handler);
  // Stops accepting and closes. Idempotent.
  void close();

  net::SocketAddress local_address() const;
  const Stats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::turn
