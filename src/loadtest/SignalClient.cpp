#include "loadtest/SignalClient.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>

namespace ct::loadtest {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct SignalClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, std::string h, uint16_t p, std::string pa, std::string b, std::string sub)
      : resolver(io),
        ws(io),
        host(std::move(h)),
        port(p),
        path(std::move(pa)),
        bind_address(std::move(b)),
        subprotocol(std::move(sub)) {}

  tcp::resolver resolver;
  beast::websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  std::string host;
  uint16_t port;
  std::string path;
  std::string bind_address;
  std::string subprotocol;
  MessageHandler on_message;
  CloseHandler on_close;
  bool open = false, writing = false, closing = false, finished = false;

  void fail(const std::string& reason) {
    if (finished) return;
    finished = true;
    open = false;
    auto handler = std::move(on_close);
    on_message = nullptr;
    on_close = nullptr;
    if (handler) handler(reason);
  }

  void start() {
    resolver.async_resolve(host, std::to_string(port),
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       tcp::resolver::results_type results) {
                             if (ec) return self->fail("resolve " + self->host + ": " + ec.message());
                             self->connect(results);
                           });
  }

  void connect(const tcp::resolver::results_type& results) {
    if (bind_address.empty()) {
      beast::get_lowest_layer(ws).async_connect(
          results, [self = shared_from_this()](const boost::system::error_code& ec, const tcp::endpoint&) {
            self->connected(ec);
          });
      return;
    }
    // A range connect reopens the socket per address, losing the bind: take
    // the first address of the bound family and connect once.
    boost::system::error_code ec;
    const auto local = asio::ip::make_address(bind_address, ec);
    if (ec) return fail("bad bind address " + bind_address);
    for (const auto& entry : results) {
      const tcp::endpoint remote = entry.endpoint();
      if (remote.address().is_v4() != local.is_v4()) continue;
      auto& socket = beast::get_lowest_layer(ws).socket();
      socket.open(remote.protocol(), ec);
      if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
      if (ec) return fail("bind " + bind_address + ": " + ec.message());
      socket.async_connect(
          remote, [self = shared_from_this()](const boost::system::error_code& e) { self->connected(e); });
      return;
    }
    fail("no address of " + host + " in the family of " + bind_address);
  }

  void connected(const boost::system::error_code& ec) {
    if (ec) return fail("connect: " + ec.message());
    beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true));
    ws.text(true);
    if (!subprotocol.empty()) {
      ws.set_option(beast::websocket::stream_base::decorator(
          [sub = subprotocol](beast::websocket::request_type& request) {
            request.set(beast::http::field::sec_websocket_protocol, sub);
          }));
    }
    ws.async_handshake(host + ":" + std::to_string(port), path,
                       [self = shared_from_this()](const boost::system::error_code& e) {
                         if (e) return self->fail("WebSocket handshake: " + e.message());
                         self->open = true;
                         self->read();
                         self->write_next();
                       });
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
      if (ec)
        return self->fail(ec == beast::websocket::error::closed ? std::string("closed by the server")
                                                                : "read: " + ec.message());
      std::string text = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      if (self->on_message) self->on_message(text);
      if (!self->finished) self->read();
    });
  }

  void write_next() {
    if (!open || writing) return;
    if (outbox.empty()) {
      if (closing) {
        closing = false;
        ws.async_close(
            beast::websocket::close_code::normal,
            [self = shared_from_this()](const boost::system::error_code&) { self->fail("closed"); });
      }
      return;
    }
    writing = true;
    ws.async_write(asio::buffer(outbox.front()),
                   [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                     self->writing = false;
                     self->outbox.pop_front();
                     if (ec) return self->fail("write: " + ec.message());
                     self->write_next();
                   });
  }
};

SignalClient::SignalClient(asio::io_context& io, std::string host, uint16_t port, std::string path,
                           std::string bind_address, std::string subprotocol)
    : impl_(std::make_shared<Impl>(io, std::move(host), port, std::move(path), std::move(bind_address),
                                   std::move(subprotocol))) {}

SignalClient::~SignalClient() {
  impl_->on_message = nullptr;
  impl_->on_close = nullptr;
  impl_->finished = true;
  boost::system::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

void SignalClient::connect(MessageHandler on_message, CloseHandler on_close) {
  impl_->on_message = std::move(on_message);
  impl_->on_close = std::move(on_close);
  impl_->start();
}

void SignalClient::send(std::string text) {
  if (impl_->finished) return;
  impl_->outbox.push_back(std::move(text));
  impl_->write_next();
}

void SignalClient::close() {
  if (impl_->finished) return;
  impl_->closing = true;
  impl_->write_next();
}

bool SignalClient::is_open() const { return impl_->open; }

}  // namespace ct::loadtest
