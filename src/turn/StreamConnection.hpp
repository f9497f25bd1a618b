#pragma once
// One TURN client connection over TCP or TLS (RFC 8656 §3.1), on the TURN
// server's net::EventLoop. The stream carries STUN messages and ChannelData
// messages (padded to 4 bytes, §12.5) back to back; each whole one goes to
// the frame handler, wherever the reads split them. Replies and relayed
// media are written at once when the socket takes them and otherwise queue,
// up to kMaxQueuedToClient: a client that stops reading loses media, and
// the server keeps its memory.
// A connection that has not finished its TLS handshake (TLS) or sent one
// whole message (TCP) within the setup timeout is closed, so idle sockets
// cannot pile up. Owned through a shared_ptr (allocations retain() it);
// loop thread only.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "core/Clock.hpp"
#include "turn/TurnTransport.hpp"

namespace ct::net {
class EventLoop;
}

namespace ct::turn {

class TlsServerContext;
class Counter;

class StreamConnection final : public ClientConnection,
                               public std::enable_shared_from_this<StreamConnection> {
 public:
  static constexpr size_t kMaxQueuedToClient = 2 * 1024 * 1024;
  static constexpr Duration kDefaultSetupTimeout = std::chrono::seconds(10);

  // One whole framed message; the span is valid during the call only.
  using FrameHandler =
      std::function<void(std::span<uint8_t> frame, StreamConnection& connection, TimePoint now)>;
  // Once per connection, after it closed for any reason, from the loop's
  // deferred work (never from inside a caller's send_to_client()).
  using CloseHandler = std::function<void(StreamConnection& connection)>;

  // Takes `fd` (a connected, non-blocking socket). `tls` (kept, not owned)
  // makes it a TLS server connection; nullptr is plain TCP.
  // `send_drops`, if given, also counts the messages refused because the
  // queue was full (the server's dropped_send_full).
  StreamConnection(net::EventLoop& loop, int fd, const FiveTuple& tuple, const TlsServerContext* tls,
                   Duration setup_timeout = kDefaultSetupTimeout, Counter* send_drops = nullptr);
  // Closes the socket if still open, without calling the close handler.
  ~StreamConnection() override;
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  // Joins the loop and starts the setup timer. Call on a shared_ptr.
  void start(FrameHandler on_frame, CloseHandler on_closed);
  // Closes the socket (TLS: after a best-effort close_notify); the close
  // handler runs later in this turn. Idempotent.
  void close();

  const FiveTuple& tuple() const;
  bool is_open() const;
  // The TLS handshake finished (TLS), or a first whole message arrived (TCP).
  bool established() const;
  // Bytes accepted by send_to_client() that the socket has not taken yet.
  size_t queued_bytes() const;
  // Messages refused because the queue was full.
  uint64_t dropped_messages() const;

  // ClientConnection.
  void send_to_client(std::span<const uint8_t> message) override;
  bool is_stream() const override { return true; }
  std::shared_ptr<ClientConnection> retain() override { return shared_from_this(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::turn
