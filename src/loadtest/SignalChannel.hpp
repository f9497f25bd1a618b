#pragma once
// The message channel a load participant signals through: JSON text shaped
// as CipherTalk's /rtc messages (docs/protocol.md) in both directions. A
// SignalClient carries them to a CipherTalk server as they are; a
// JanusSignalClient maps them onto Janus' VideoRoom API. Single-threaded, on
// the caller's io_context.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace ct::loadtest {

// Which server the participants signal to.
enum class ServerTarget { CipherTalk, Janus };

class SignalChannel {
 public:
  using MessageHandler = std::function<void(const std::string& text)>;
  using CloseHandler = std::function<void(const std::string& reason)>;

  virtual ~SignalChannel() = default;
  // Connects; messages sent before that wait. Handlers never run after
  // destruction.
  virtual void connect(MessageHandler on_message, CloseHandler on_close) = 0;
  virtual void send(std::string text) = 0;
  // A normal close after the queued messages.
  virtual void close() = 0;
  virtual bool is_open() const = 0;
};

}  // namespace ct::loadtest
