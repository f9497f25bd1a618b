#include "loadtest/JanusSignalClient.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "core/Clock.hpp"
#include "loadtest/JanusVideoRoomClient.hpp"
#include "loadtest/SignalClient.hpp"

namespace ct::loadtest {

namespace {
constexpr Duration kTick = milliseconds(100);
}

struct JanusSignalClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& io, std::string host, uint16_t port, std::string path,
       std::string bind_address, bool publisher, std::string room, std::string display)
      : socket(io, std::move(host), port, std::move(path), std::move(bind_address), kSubprotocol),
        timer(io),
        room_client(
            publisher, std::move(room), std::move(display),
            [this](std::string text) { socket.send(std::move(text)); },
            [this](std::string text) {
              if (on_message) on_message(text);
            }) {}

  void arm() {
    timer.expires_after(kTick);
    // A handler already queued when the timer is cancelled still runs with
    // success, so it holds the client weakly.
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->room_client.on_tick(Clock::now());
      self->arm();
    });
  }

  SignalClient socket;
  boost::asio::steady_timer timer;
  JanusVideoRoomClient room_client;
  MessageHandler on_message;
};

JanusSignalClient::JanusSignalClient(boost::asio::io_context& io, std::string host, uint16_t port,
                                     std::string path, std::string bind_address, bool publisher,
                                     std::string room, std::string display)
    : impl_(std::make_shared<Impl>(io, std::move(host), port, std::move(path), std::move(bind_address),
                                   publisher, std::move(room), std::move(display))) {}

JanusSignalClient::~JanusSignalClient() {
  impl_->on_message = nullptr;
  impl_->timer.cancel();
}

void JanusSignalClient::connect(MessageHandler on_message, CloseHandler on_close) {
  impl_->on_message = std::move(on_message);
  Impl* impl = impl_.get();
  impl_->socket.connect(
      [impl](const std::string& text) { impl->room_client.on_janus_message(text, Clock::now()); },
      std::move(on_close));
  impl_->arm();
}

void JanusSignalClient::send(std::string text) {
  impl_->room_client.on_participant_message(text, Clock::now());
}

void JanusSignalClient::close() {
  impl_->timer.cancel();
  impl_->socket.close();
}

bool JanusSignalClient::is_open() const { return impl_->socket.is_open(); }

}  // namespace ct::loadtest
