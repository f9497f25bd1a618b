#include "signal/SignalRelay.hpp"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <nlohmann/json.hpp>

#include "core/Log.hpp"

namespace ct::signal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {
std::atomic<size_t> open_relays{0};

// Read only until the join is answered: after that frames pass unread.
bool is_joined(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_object() && j.value("type", nlohmann::json()) == "joined";
}
}  // namespace

struct SignalRelay::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, std::string url, std::string credential, Handlers h)
      : resolver(ex),
        ws(ex),
        url(std::move(url)),
        credential(std::move(credential)),
        handlers(std::move(h)) {}

  tcp::resolver resolver;
  websocket::stream<beast::tcp_stream> ws;
  std::string url, credential, host, port, target;
  Handlers handlers;
  beast::flat_buffer buffer;
  std::deque<std::string> queue;
  bool open = false, writing = false, finished = false, closing = false;
  std::atomic<bool> joined{false};  // read by a drain on the front thread

  bool parse_url() {
    std::string_view u = url;
    if (!u.starts_with("ws://")) return false;
    u.remove_prefix(5);
    auto slash = u.find('/');
    std::string_view hostport = u.substr(0, slash);
    target = slash == std::string_view::npos ? "/" : std::string(u.substr(slash));
    auto colon = hostport.rfind(':');
    if (colon == std::string_view::npos || hostport.ends_with(']')) {
      host = std::string(hostport);
      port = "80";
    } else {
      host = std::string(hostport.substr(0, colon));
      port = std::string(hostport.substr(colon + 1));
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return !host.empty();
  }

  void finish(uint16_t code, std::string reason) {
    if (finished) return;
    finished = true;
    if (handlers.closed) handlers.closed(code, std::move(reason));
    handlers = {};
  }

  void start() {
    if (!parse_url()) {
      finish(0, "bad relay URL " + url);
      return;
    }
    resolver.async_resolve(
        host, port, [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          if (ec || self->closing) return self->finish(0, "resolve " + self->host + ": " + ec.message());
          beast::get_lowest_layer(self->ws).expires_after(std::chrono::seconds(5));
          beast::get_lowest_layer(self->ws).async_connect(
              r, [self](beast::error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
        });
  }

  void on_connect(beast::error_code ec) {
    if (ec || closing) return finish(0, "connect " + host + ":" + port + ": " + ec.message());
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws.set_option(websocket::stream_base::decorator([credential = credential](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "CipherTalk relay");
      if (!credential.empty()) req.set("X-CipherTalk-Relay", credential);
    }));
    ws.async_handshake(host + ":" + port, target, [self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closing) return self->finish(0, "handshake with " + self->url + ": " + ec.message());
      self->open = true;
      self->write_next();
      self->read();
    });
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        auto reason = self->ws.reason();
        return self->finish(uint16_t(reason.code), std::string(reason.reason.data(), reason.reason.size()));
      }
      std::string text = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      if (!self->joined) self->joined = is_joined(text);
      if (self->handlers.to_client) self->handlers.to_client(std::move(text));
      self->read();
    });
  }

  void send(std::string message) {
    if (finished || closing) return;
    queue.push_back(std::move(message));
    write_next();
  }

  void write_next() {
    if (!open || writing || queue.empty()) return;
    writing = true;
    ws.text(true);
    ws.async_write(asio::buffer(queue.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      self->writing = false;
      if (ec) return;  // the read side sees the end and reports it
      self->queue.pop_front();
      if (self->closing && self->queue.empty()) return self->close_now();
      self->write_next();
    });
  }

  void close() {
    if (closing) return;
    closing = true;
    handlers = {};  // the client is gone: nothing more goes to it
    finished = true;
    if (!open) {
      resolver.cancel();
      beast::get_lowest_layer(ws).cancel();
      return;
    }
    if (!writing) close_now();
  }

  void close_now() {
    ws.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
  }
};

SignalRelay::SignalRelay(asio::any_io_executor executor, std::string url, std::string credential,
                         Handlers handlers)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(url), std::move(credential),
                                   std::move(handlers))) {
  ++open_relays;
}

SignalRelay::~SignalRelay() {
  impl_->close();
  --open_relays;
}

size_t SignalRelay::open_count() { return open_relays.load(); }

void SignalRelay::start(std::string join) {
  impl_->queue.push_back(std::move(join));
  impl_->start();
}

void SignalRelay::send(std::string message) { impl_->send(std::move(message)); }

void SignalRelay::close() { impl_->close(); }

bool SignalRelay::joined() const { return impl_->joined.load(); }

}  // namespace ct::signal
