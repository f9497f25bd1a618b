#include "http/HttpServer.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include "core/Log.hpp"
#include "http/HttpConnection.hpp"
#include "http/HttpSite.hpp"

namespace ct::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

}  // namespace

// The accept loop. Shared with its own pending operations, so it outlives
// the HttpServer object until they finish.
struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(net::io_context& io_context, HttpServerConfig config)
      : io(io_context), site(std::make_shared<HttpSite>()), acceptor(io_context), accept_retry(io_context) {
    site->config = std::move(config);
  }

  void accept_next();  // with accept_mutex held
  void on_accept(const beast::error_code& ec, tcp::socket socket);
  void refuse_busy(tcp::socket socket);

  net::io_context& io;
  std::shared_ptr<HttpSite> site;  // routes and static files fixed once started

  // Asio objects are not safe for concurrent use; stop() may come from any
  // thread, so every acceptor operation happens under this mutex.
  std::mutex accept_mutex;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  bool started = false;
  bool stopped = false;
  std::atomic<uint16_t> bound_port{0};
};

void HttpServer::Impl::accept_next() {
  acceptor.async_accept(net::make_strand(io),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                          self->on_accept(ec, std::move(s));
                        });
}

void HttpServer::Impl::on_accept(const beast::error_code& ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  std::lock_guard lock(accept_mutex);
  if (stopped) return;
  if (ec) {
    // Out of descriptors or memory: wait a little instead of spinning.
    spdlog::warn("http accept failed: {}", ec.message());
    accept_retry.expires_after(kAcceptRetryDelay);
    accept_retry.async_wait([self = shared_from_this()](const beast::error_code& wec) {
      if (wec) return;
      std::lock_guard relock(self->accept_mutex);
      if (!self->stopped) self->accept_next();
    });
    return;
  }
  if (site->connections.count() >= site->config.max_connections) {
    refuse_busy(std::move(socket));
  } else {
    std::make_shared<HttpConnection>(site, std::move(socket))->start();
  }
  accept_next();
}

void HttpServer::Impl::refuse_busy(tcp::socket socket) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\n"
      "Server: CipherTalk\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: 21\r\n"
      "Retry-After: 1\r\n"
      "Connection: close\r\n"
      "\r\n"
      "too many connections\n";
  spdlog::debug("http refused a connection: {} open", site->connections.count());
  auto sock = std::make_shared<tcp::socket>(std::move(socket));
  net::async_write(*sock, net::buffer(kBusy.data(), kBusy.size()), [sock](beast::error_code, size_t) {
    beast::error_code ignored;
    sock->shutdown(tcp::socket::shutdown_both, ignored);
    sock->close(ignored);
  });
}

HttpServer::HttpServer(net::io_context& io, HttpServerConfig config)
    : impl_(std::make_shared<Impl>(io, std::move(config))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::add_route(std::string method, std::string path, Handler handler) {
  impl_->site->routes.add(std::move(method), std::move(path), std::move(handler));
}

void HttpServer::add_prefix_route(std::string method, std::string prefix, Handler handler) {
  impl_->site->routes.add_prefix(std::move(method), std::move(prefix), std::move(handler));
}

void HttpServer::set_upgrade_handler(std::string path, UpgradeHandler handler) {
  impl_->site->routes.set_upgrade(std::move(path), std::move(handler));
}

void HttpServer::start() {
  auto& s = *impl_;
  std::lock_guard lock(s.accept_mutex);
  if (s.started) throw std::logic_error("HttpServer::start called twice");
  const HttpServerConfig& config = s.site->config;
  if (!config.static_root.empty()) s.site->static_files.emplace(config.static_root);

  const auto where = config.bind_address + ":" + std::to_string(config.port);
  beast::error_code ec;
  const auto address = net::ip::make_address(config.bind_address, ec);
  if (ec) throw std::runtime_error("HTTP bind address '" + config.bind_address + "' is not an IP address");
  const tcp::endpoint endpoint(address, config.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    throw std::runtime_error("cannot listen for HTTP on " + where + ": " + ec.message());
  }
  s.bound_port = s.acceptor.local_endpoint(ec).port();
  s.started = true;
  s.accept_next();
  spdlog::info(
      "HTTP listening on {}:{}{}", config.bind_address, s.bound_port.load(),
      s.site->static_files ? ", static files from " + s.site->static_files->root().string() : std::string());
}

uint16_t HttpServer::port() const { return impl_->bound_port.load(); }

size_t HttpServer::connection_count() const { return impl_->site->connections.count(); }

void HttpServer::stop() {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.accept_mutex);
    if (s.stopped) return;
    s.stopped = true;
    beast::error_code ignored;
    s.accept_retry.cancel();
    s.acceptor.close(ignored);
  }
  for (auto& connection : s.site->connections.snapshot()) {
    net::post(connection->executor(), [connection] { connection->close(); });
  }
}

}  // namespace ct::http
