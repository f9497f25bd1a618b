#pragma once
// A UDP socket on an Asio io_context that receives and sends in batches
// (recvmmsg/sendmmsg): one system call moves up to kBatch datagrams, which is
// most of the cost of forwarding media on Linux.
//
// Receive buffers belong to the socket and are reused; a handler sees a
// mutable view of each datagram (SRTP decrypts in place) and must not keep it.
// Sends are copied into a batch that is flushed once the current event has
// been handled (or when the batch is full), so a handler that fans one packet
// out to many peers costs one sendmmsg. A full send buffer loses nothing at
// once: what the kernel refused waits (bounded) for the socket to be writable.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "net/SocketAddress.hpp"

namespace boost::asio {
class io_context;
}

namespace ct::net {

class UdpSocket {
 public:
  static constexpr size_t kBatch = 32;
  static constexpr size_t kMaxDatagram = 1500;
  // Datagrams that may wait for room in a full send buffer; more are
  // dropped (counted), as media would be late anyway.
  static constexpr size_t kMaxBacklog = 512;

  using ReceiveHandler = std::function<void(std::span<uint8_t> datagram, const SocketAddress& from)>;

  struct Stats {
    uint64_t received_packets = 0;
    uint64_t received_bytes = 0;
    uint64_t sent_packets = 0;
    uint64_t sent_bytes = 0;
    uint64_t send_errors = 0;
    uint64_t receive_syscalls = 0;
    uint64_t send_syscalls = 0;
    uint64_t blocked_sends = 0;  // times the send buffer was full (the rest waited)
    uint64_t backlog_drops = 0;  // datagrams refused while the backlog was full
  };

  // Binds at once; throws std::system_error with the address in the message if it cannot.
  UdpSocket(boost::asio::io_context& io, const SocketAddress& bind_address);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Receives as datagrams arrive: the socket joins the io_context's reactor.
  void start(ReceiveHandler handler);
  // Receives only when poll() is called; the socket never joins the reactor,
  // so a datagram's arrival wakes no one. For load generators that stand in
  // for remote receivers: the sender is not charged for waking them.
  void start_polled(ReceiveHandler handler);
  // Reads what has arrived (bounded) and hands it to the handler. Polled mode.
  void poll();
  void close();

  // Queues one datagram; it leaves with the next flush. Datagrams over
  // kMaxDatagram are refused (counted as send errors).
  void send(std::span<const uint8_t> datagram, const SocketAddress& to);
  void flush();

  SocketAddress local_address() const;
  const Stats& stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared so a posted flush can outlive us safely
};

}  // namespace ct::net
