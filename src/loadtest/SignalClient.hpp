#pragma once
// A load participant's /rtc signaling connection (docs/protocol.md): one
// WebSocket client on the caller's io_context, JSON text frames in and out.
// Writes are queued and sent one at a time, in order. Single-threaded.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "loadtest/SignalChannel.hpp"

namespace ct::loadtest {

// The /rtc protocol version this client speaks (docs/protocol.md).
inline constexpr int kSignalProtocolVersion = 1;

class SignalClient final : public SignalChannel {
 public:
  // `bind_address` (an IP, or empty for the route's own) is the local end of
  // the TCP connection; `subprotocol`, if not empty, is offered in
  // Sec-WebSocket-Protocol (RFC 6455 §4.1).
  SignalClient(boost::asio::io_context& io, std::string host, uint16_t port, std::string path,
               std::string bind_address = {}, std::string subprotocol = {});
  // Handlers are dropped here: none runs after destruction.
  ~SignalClient() override;
  SignalClient(const SignalClient&) = delete;
  SignalClient& operator=(const SignalClient&) = delete;

  // Resolves, connects and upgrades; messages sent before that wait.
  void connect(MessageHandler on_message, CloseHandler on_close) override;
  void send(std::string text) override;
  // A normal close (1000) after the queued messages.
  void close() override;
  bool is_open() const override;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with pending operations
};

}  // namespace ct::loadtest
