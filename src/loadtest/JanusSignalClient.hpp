#pragma once
// A load participant's signaling to Janus: the WebSocket transport of the
// Janus API (subprotocol "janus-protocol") carrying a JanusVideoRoomClient's
// requests, with its keepalives and retries driven by a 100 ms timer.
// Single-threaded, on the caller's io_context.
#include <cstdint>
#include <memory>
#include <string>

#include "loadtest/SignalChannel.hpp"

namespace ct::loadtest {

class JanusSignalClient final : public SignalChannel {
 public:
  // The WebSocket subprotocol Janus' websockets transport serves its API on.
  static constexpr const char* kSubprotocol = "janus-protocol";

  // `bind_address`: the local end of the TCP connection, as SignalClient's.
  JanusSignalClient(boost::asio::io_context& io, std::string host, uint16_t port, std::string path,
                    std::string bind_address, bool publisher, std::string room, std::string display);
  ~JanusSignalClient() override;
  JanusSignalClient(const JanusSignalClient&) = delete;
  JanusSignalClient& operator=(const JanusSignalClient&) = delete;

  void connect(MessageHandler on_message, CloseHandler on_close) override;
  void send(std::string text) override;  // a /rtc-shaped message from the participant
  void close() override;
  bool is_open() const override;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // held weakly by the timer
};

}  // namespace ct::loadtest
