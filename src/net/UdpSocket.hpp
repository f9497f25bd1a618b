#pragma once
// A UDP socket that receives and sends in batches (recvmmsg/sendmmsg): one
// system call moves up to kBatch datagrams, which is most of the cost of
// forwarding media or relaying TURN on Linux. Every UDP socket CipherTalk
// owns is one: media ports and the load client's sockets (driven by an Asio
// io_context), the TURN listener and relays (driven by net::EventLoop). The
// socket does its own I/O on a non-blocking descriptor; the loop only tells
// it when the descriptor is readable or writable, through a small Watcher.
//
// Receive buffers are shared by the sockets of a thread and reused: a handler
// sees a mutable view of each datagram (SRTP decrypts in place) and must not
// keep it. Sends are copied into a batch that leaves once the loop's current
// event has been handled (or when the batch is full), so a handler that fans
// one packet out to many peers costs one sendmmsg. The batch leaves grouped
// by destination (each destination's datagrams in the order queued), and
// equal-size datagrams to one address leave as one UDP GSO send (Linux
// UDP_SEGMENT), which the kernel splits again: a subscriber's copies of the
// packets a turn fans out (a frame's packets, several publishers' packets)
// cost one trip down the stack instead of one each. A full send
// buffer loses nothing at once: what the kernel refused waits (bounded), in
// order, for the socket to be writable.
//
// A socket started with an ArrivalHandler asks the kernel to stamp each
// datagram as it arrives (SO_TIMESTAMPNS) and hands that time over, on the
// steady clock (net::ReceiveClock): what measures arrival then sees the
// network's delay, not how long the loop took to come round.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "core/Clock.hpp"
#include "net/SocketAddress.hpp"

namespace boost::asio {
class io_context;
}

namespace ct::net {

class EventLoop;

class UdpSocket {
 public:
  static constexpr size_t kBatch = 32;
  static constexpr size_t kMaxDatagram = 1500;
  // Datagrams that may wait behind a batch the kernel refused (512 in all);
  // more are dropped (counted), as media would be late anyway.
  static constexpr size_t kMaxBacklog = 480;

  using ReceiveHandler = std::function<void(std::span<uint8_t> datagram, const SocketAddress& from)>;
  // `arrival`: when the kernel received the datagram, or, without its stamp,
  // when the batch holding it was read.
  using ArrivalHandler =
      std::function<void(std::span<uint8_t> datagram, const SocketAddress& from, TimePoint arrival)>;

  struct Stats {
    uint64_t received_packets = 0;
    uint64_t received_bytes = 0;
    uint64_t sent_packets = 0;
    uint64_t sent_bytes = 0;
    uint64_t send_errors = 0;
    uint64_t receive_syscalls = 0;
    uint64_t send_syscalls = 0;
    uint64_t gso_sends = 0;        // sends that carried more than one datagram
    uint64_t blocked_sends = 0;    // times the send buffer was full (the rest waited)
    uint64_t backlog_drops = 0;    // datagrams refused while the backlog was full
    uint64_t stamped_packets = 0;  // received with the kernel's arrival time (ArrivalHandler)
  };

  // The driving loop's side. The socket calls it; it calls the socket's
  // on_readable(), on_writable() and flush() back, on the loop's thread.
  class Watcher {
   public:
    virtual ~Watcher() = default;
    // Joins the loop: on_readable() whenever datagrams may have arrived.
    virtual void watch_readable() = 0;
    // on_writable() once the send buffer has room (on), or no longer (off).
    virtual void watch_writable(bool on) = 0;
    // flush() once the loop's current event has been handled.
    virtual void flush_soon() = 0;
    // Leaves the loop for good (the descriptor is still open): no more calls.
    virtual void stop() = 0;
  };

  // Binds at once; throws std::system_error with the address in the message
  // if it cannot. The loop must outlive the socket.
  UdpSocket(boost::asio::io_context& io, const SocketAddress& bind_address);
  UdpSocket(EventLoop& loop, const SocketAddress& bind_address);
  // Sends what is still queued (as far as the kernel takes it), then closes.
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Receives as datagrams arrive: the socket joins its loop. Datagrams that
  // arrived before wait in the kernel.
  void start(ReceiveHandler handler);
  // The same, with each datagram's arrival time.
  void start(ArrivalHandler handler);
  // Receives only when poll() is called; the socket never joins the loop,
  // so a datagram's arrival wakes no one. For load generators that stand in
  // for remote receivers: the sender is not charged for waking them.
  void start_polled(ReceiveHandler handler);
  // Polled mode: retries what waits for room, then reads what has arrived
  // (bounded) and hands it to the handler.
  void poll();
  // Sends what is queued (what the kernel still refuses is lost, counted as
  // send errors), leaves the loop and closes. Idempotent.
  void close();

  // Queues one datagram (copied); it leaves with the next flush. Datagrams
  // over kMaxDatagram are refused (counted as send errors).
  void send(std::span<const uint8_t> datagram, const SocketAddress& to);
  void flush();
  // Also told of each datagram the full backlog refuses (e.g. the TURN
  // server's count of messages dropped for a full receiver).
  void on_backlog_drop(std::function<void()> observer);

  SocketAddress local_address() const;
  const Stats& stats() const;

  // For the Watcher. Reads a bounded number of batches; false if the socket
  // may still hold datagrams (an edge-triggered loop must come back).
  bool on_readable();
  void on_writable();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::net
