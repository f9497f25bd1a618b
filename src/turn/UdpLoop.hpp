#pragma once
// The TURN server's event loop for its UDP sockets (the listener and every
// relayed address). A relay moves each datagram with about one system call
// on each side, so the loop keeps the calls around them to a minimum:
//  - sockets join one epoll set of our own once, edge-triggered, and stay
//    in it (no epoll_ctl per wake-up);
//  - that set is itself a pollable descriptor, watched by Asio's reactor:
//    io_context::run() stays the thread's only loop, so TCP, TLS, timers
//    and posted work behave as in any Asio program;
//  - one wake-up drains every ready socket, then sends everything queued
//    during it, one sendmmsg per socket with datagrams to the same address
//    coalesced by UDP GSO.
// Single-threaded: run() and every socket live on the TURN thread.
#include <cstdint>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace ct::turn {

class TurnUdpSocket;

class UdpLoop {
 public:
  struct Stats {
    uint64_t wakeups = 0;       // turns that found ready sockets
    uint64_t idle_turns = 0;    // turns that found none (an edge already served)
    uint64_t continued_turns = 0;  // turns queued for sockets a bounded drain left unread
  };

  // Registers the loop's epoll set with `io`'s reactor.
  explicit UdpLoop(boost::asio::io_context& io);
  ~UdpLoop();
  UdpLoop(const UdpLoop&) = delete;
  UdpLoop& operator=(const UdpLoop&) = delete;

  // io_context::run(): the loop and Asio's handlers, until the io_context
  // is stopped. Stopping and posting from other threads work as usual.
  void run();
  const Stats& stats() const;

  // For TurnUdpSocket.
  uint64_t add(int fd, TurnUdpSocket& socket);
  void remove(uint64_t key, int fd);
  // Also waits for room to send (EPOLLOUT) while `on`; off again once the
  // socket has drained its queue, since a writable UDP socket would
  // otherwise wake the loop after every send.
  void watch_writable(uint64_t key, int fd, bool on);
  // The socket has queued datagrams: flush it at the end of this wake-up.
  void mark_dirty(TurnUdpSocket& socket);
  void forget_dirty(TurnUdpSocket& socket);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::turn
