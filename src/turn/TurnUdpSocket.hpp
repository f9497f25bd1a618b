#pragma once
// A UDP socket of the TURN server, driven by its EventLoop: receives in
// batches (recvmmsg into buffers shared by the loop's sockets) and queues
// sends, which leave together at the end of the loop's turn (or when the
// batch is full). Consecutive equal-size datagrams to one address leave as
// one UDP GSO send (Linux UDP_SEGMENT), which the kernel splits again: the
// relay's bursts (a video frame's packets from one client to one peer) then
// cost one trip down the stack instead of one each.
// A full socket send buffer loses nothing: what the kernel refused waits
// (bounded) for the socket to become writable, in order.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "net/SocketAddress.hpp"

namespace ct::turn {

class EventLoop;
class Counter;

class TurnUdpSocket {
 public:
  static constexpr size_t kBatch = 32;
  static constexpr size_t kMaxDatagram = 1500;
  // Datagrams waiting for send buffer space beyond one batch; more are
  // dropped (counted), as media would be late anyway.
  static constexpr size_t kMaxBacklog = 256;

  using ReceiveHandler = std::function<void(std::span<uint8_t> datagram, const net::SocketAddress& from)>;

  struct Stats {
    uint64_t received_packets = 0;
    uint64_t sent_packets = 0;
    uint64_t send_errors = 0;
    uint64_t receive_syscalls = 0;
    uint64_t send_syscalls = 0;
    uint64_t gso_sends = 0;  // sends that carried more than one datagram
    uint64_t blocked_sends = 0;    // times the send buffer was full (retried when writable)
    uint64_t backlog_drops = 0;    // datagrams refused while the backlog was full
  };

  // Binds at once; throws std::system_error with the address in the message if it cannot.
  // `send_drops`, if given, also counts the datagrams the backlog refused
  // (the server's dropped_send_full).
  TurnUdpSocket(EventLoop& loop, const net::SocketAddress& bind_address, Counter* send_drops = nullptr);
  // Sends what is still queued, then closes.
  ~TurnUdpSocket();
  TurnUdpSocket(const TurnUdpSocket&) = delete;
  TurnUdpSocket& operator=(const TurnUdpSocket&) = delete;

  // Joins the loop; datagrams before this wait in the kernel.
  void start(ReceiveHandler handler);
  // Sends what is queued, leaves the loop and closes. Idempotent.
  void close();
  // Queues one datagram (copied). Datagrams over kMaxDatagram are refused
  // (counted as send errors).
  void send(std::span<const uint8_t> datagram, const net::SocketAddress& to);
  void flush();

  net::SocketAddress local_address() const;
  const Stats& stats() const;

  // For EventLoop's end-of-turn flush.
  bool dirty() const;
  void set_dirty(bool dirty);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::turn
