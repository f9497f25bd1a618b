#pragma once
// A load participant's /rtc signaling connection (docs/protocol.md): one
// WebSocket client on the caller's io_context, JSON text frames in and out.
// Writes are queued and sent one at a time, in order. Single-threaded.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace ct::loadtest {

// The /rtc protocol version this client speaks (docs/protocol.md).
inline constexpr int kSignalProtocolVersion = 1;

class SignalClient {
 public:
  using MessageHandler = std::function<void(const std::string& text)>;
  using CloseHandler = std::function<void(const std::string& reason)>;

  // `bind_address` (an IP, or empty for the route's own) is the local end of the TCP connection.
  SignalClient(boost::asio::io_context& io, std::string host, uint16_t port, std::string path,
               std::string bind_address = {});
  // Handlers are dropped here: none runs after destruction.
  ~SignalClient();
  SignalClient(const SignalClient&) = delete;
  SignalClient& operator=(const SignalClient&) = delete;

  // Resolves, connects and upgrades; messages sent before that wait.
  void connect(MessageHandler on_message, CloseHandler on_close);
  void send(std::string text);
  // A normal close (1000) after the queued messages.
  void close();
  bool is_open() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with pending operations
};

}  // namespace ct::loadtest
