#pragma once
// The /rtc connection of a client relayed to the node that hosts its room:
// a WebSocket client to that node's /rtc that sends the client's join first,
// then passes every frame on, both ways, unchanged. The hosting node answers
// the join itself, so the ICE candidates and TURN credentials the client gets
// point at it; the client sees no difference. Runs on the client session's
// strand (the executor given), so the session and its relay never race.
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ct::signal {

class SignalRelay {
 public:
  struct Handlers {
    std::function<void(std::string)> to_client;  // a message from the hosting node
    // The hosting node closed (its close code and reason), or could not be
    // reached (code 0, the reason says why). Called once.
    std::function<void(uint16_t code, std::string reason)> closed;
  };

  // `url`: ws://host:port/path. `credential` goes along as X-CipherTalk-Relay
  // (RtcService::relay_credential: the client's address, signed).
  SignalRelay(boost::asio::any_io_executor executor, std::string url, std::string credential,
              Handlers handlers);
  ~SignalRelay();

  // Connects and sends `join` once the WebSocket is open.
  void start(std::string join);
  // A message from the client; queued until the connection is open.
  void send(std::string message);
  // The client went away: close the hosting node's side too.
  void close();
  // The hosting node has answered the join with `joined` (any thread).
  bool joined() const;

  // Relays alive in this process. A draining node waits for them to end: the
  // calls they carry run on other nodes, and exiting would cut them.
  static size_t open_count();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ct::signal
