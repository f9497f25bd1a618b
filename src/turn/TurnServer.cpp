#include "turn/TurnServer.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "core/Log.hpp"
#include "turn/ChannelData.hpp"
#include "turn/SelfSignedCertificate.hpp"
#include "turn/TurnRequestHandler.hpp"
#include "turn/TurnUdpSocket.hpp"
#include "turn/UdpLoop.hpp"

namespace ct::turn {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kStreamBuffer = 65536 + 64;         // the largest STUN frame plus slack
constexpr size_t kMaxQueuedToClient = 2 * 1024 * 1024;  // beyond this a slow stream drops media
constexpr size_t kMaxStreamConnections = 4096;

class UdpRelaySocket final : public RelaySocket {
 public:
  UdpRelaySocket(UdpLoop& loop, const net::SocketAddress& address) : socket_(loop, address) {}
  void start(Receiver receiver) override { socket_.start(std::move(receiver)); }
  void send_to_peer(std::span<const uint8_t> datagram, const net::SocketAddress& to) override {
    socket_.send(datagram, to);
  }

 private:
  TurnUdpSocket socket_;
};

class UdpRelayFactory final : public RelaySocketFactory {
 public:
  explicit UdpRelayFactory(UdpLoop& loop) : loop_(loop) {}
  std::unique_ptr<RelaySocket> open(const net::SocketAddress& address) override {
    try {
      return std::make_unique<UdpRelaySocket>(loop_, address);
    } catch (const std::system_error&) {
      return nullptr;  // port taken: the caller tries another
    }
  }

 private:
  UdpLoop& loop_;
};

// The return path to a UDP client: the listener socket and the client's address.
class UdpClient final : public ClientConnection {
 public:
  UdpClient(TurnUdpSocket& socket, const net::SocketAddress& client) : socket_(socket), client_(client) {}
  void send_to_client(std::span<const uint8_t> message) override { socket_.send(message, client_); }
  bool is_stream() const override { return false; }
  std::shared_ptr<ClientConnection> retain() override { return std::make_shared<UdpClient>(socket_, client_); }

 private:
  TurnUdpSocket& socket_;
  net::SocketAddress client_;
};

std::optional<net::SocketAddress> endpoint_address(const tcp::endpoint& e) {
  return net::SocketAddress::parse_ip(e.address().to_string(), e.port());
}

}  // namespace

struct TurnServer::Impl {
  TurnServerConfig config;
  asio::io_context io{1};
  UdpLoop loop{io};  // outlives every socket below
  std::optional<asio::ssl::context> tls;
  UdpRelayFactory relay_factory{loop};
  TurnCounters counters;
  std::unique_ptr<TurnUdpSocket> udp;
  net::SocketAddress udp_local;
  std::optional<tcp::acceptor> tcp_acceptor;
  std::optional<tcp::acceptor> tls_acceptor;
  std::unique_ptr<TurnRequestHandler> handler;
  std::optional<asio::steady_timer> sweep;
  std::thread thread;
  std::atomic<bool> running{false};
  size_t stream_connections = 0;

  template <class Stream>
  class StreamSession;

  void accept(tcp::acceptor& acceptor, bool secure);
  void schedule_sweep();
};

// One TCP or TLS client connection (RFC 8656 §3.1): STUN messages and padded
// ChannelData messages back to back on the stream.
template <class Stream>
class TurnServer::Impl::StreamSession final : public ClientConnection,
                                              public std::enable_shared_from_this<StreamSession<Stream>> {
 public:
  template <class... Args>
  StreamSession(Impl& server, FiveTuple tuple, Args&&... args)
      : server_(server), stream_(std::forward<Args>(args)...), tuple_(tuple), rx_(kStreamBuffer) {
    ++server_.stream_connections;
  }
  ~StreamSession() override { --server_.stream_connections; }

  void start() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      read();
    } else {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](const boost::system::error_code& ec) {
                                if (ec) return self->close();
                                self->read();
                              });
    }
  }

  void send_to_client(std::span<const uint8_t> message) override {
    if (closed_) return;
    if (tx_pending_.size() + message.size() > kMaxQueuedToClient) return;  // a stalled reader loses media, not memory
    tx_pending_.insert(tx_pending_.end(), message.begin(), message.end());
    if (!writing_) write();
  }
  bool is_stream() const override { return true; }
  std::shared_ptr<ClientConnection> retain() override { return this->shared_from_this(); }

 private:
  void read() {
    stream_.async_read_some(asio::buffer(rx_.data() + rx_len_, rx_.size() - rx_len_),
                            [self = this->shared_from_this()](const boost::system::error_code& ec, size_t n) {
                              if (ec || self->closed_) return self->close();
                              self->rx_len_ += n;
                              if (!self->process()) return self->close();
                              self->read();
                            });
  }

  // Hands every complete frame to the handler; false on a framing error.
  bool process() {
    size_t offset = 0;
    const TimePoint now = Clock::now();
    while (rx_len_ - offset >= 4 && !closed_) {
      auto size = stream_frame_size(std::span<const uint8_t>(rx_.data() + offset, 4));
      if (!size || *size > rx_.size()) return false;
      if (rx_len_ - offset < *size) break;
      std::span<uint8_t> frame(rx_.data() + offset, *size);
      server_.handler->on_client_message(frame, tuple_, *this, now);
      offset += *size;
    }
    if (offset > 0) {
      std::memmove(rx_.data(), rx_.data() + offset, rx_len_ - offset);
      rx_len_ -= offset;
    }
    return true;
  }

  void write() {
    std::swap(tx_pending_, tx_inflight_);
    tx_pending_.clear();
    writing_ = true;
    asio::async_write(stream_, asio::buffer(tx_inflight_),
                      [self = this->shared_from_this()](const boost::system::error_code& ec, size_t) {
                        self->writing_ = false;
                        if (ec) return self->close();
                        if (!self->tx_pending_.empty() && !self->closed_) self->write();
                      });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    stream_.lowest_layer().close(ignored);
    // Posted: the allocation (and its relay socket) may be what is calling us.
    asio::post(server_.io, [&server = server_, tuple = tuple_] { server.handler->on_connection_closed(tuple); });
  }

  Impl& server_;
  Stream stream_;
  FiveTuple tuple_;
  std::vector<uint8_t> rx_;
  size_t rx_len_ = 0;
  std::vector<uint8_t> tx_pending_, tx_inflight_;
  bool writing_ = false;
  bool closed_ = false;
};

void TurnServer::Impl::accept(tcp::acceptor& acceptor, bool secure) {
  acceptor.async_accept([this, &acceptor, secure](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec && stream_connections < kMaxStreamConnections) {
      boost::system::error_code e1, e2;
      auto remote = socket.remote_endpoint(e1);
      auto local = socket.local_endpoint(e2);
      auto client = e1 ? std::nullopt : endpoint_address(remote);
      auto server = e2 ? std::nullopt : endpoint_address(local);
      if (client && server) {
        socket.set_option(tcp::no_delay(true), e1);
        FiveTuple tuple{client->unmapped(), server->unmapped(), secure ? Transport::Tls : Transport::Tcp};
        if (secure) {
          auto s = std::make_shared<StreamSession<asio::ssl::stream<tcp::socket>>>(*this, tuple, std::move(socket),
                                                                                   *tls);
          s->start();
        } else {
          auto s = std::make_shared<StreamSession<tcp::socket>>(*this, tuple, std::move(socket));
          s->start();
        }
      }
    }
    accept(acceptor, secure);
  });
}

void TurnServer::Impl::schedule_sweep() {
  sweep->expires_after(std::chrono::seconds(1));
  sweep->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    handler->expire(Clock::now());
    schedule_sweep();
  });
}

namespace {

net::SocketAddress parse_address(const std::string& text, const char* what) {
  auto a = net::SocketAddress::parse_ip(text, 0);
  if (!a) throw std::invalid_argument(std::string("bad ") + what + " address: " + text);
  return a->unmapped();
}

bool is_wildcard(const net::SocketAddress& a) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a.bytes()[i] != 0) return false;
  return true;
}

}  // namespace

TurnServer::TurnServer(TurnServerConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  auto& c = impl_->config;
  if (c.secrets.empty()) throw std::invalid_argument("TURN needs at least one shared secret");
  if (c.realm.empty()) throw std::invalid_argument("TURN needs a realm");
  auto listen = parse_address(c.listen_address, "listen");
  auto relay_bind = c.relay_address.empty() ? listen : parse_address(c.relay_address, "relay");
  auto announced = c.external_address.empty() ? relay_bind : parse_address(c.external_address, "external");
  if (is_wildcard(announced))
    throw std::invalid_argument("TURN relay address is a wildcard: set the relay or external address");
  impl_->handler =
      std::make_unique<TurnRequestHandler>(c, relay_bind, announced, impl_->relay_factory, impl_->counters);
}

TurnServer::~TurnServer() { stop(); }

void TurnServer::start() {
  auto& s = *impl_;
  if (s.running) return;
  const auto& c = s.config;
  auto listen = parse_address(c.listen_address, "listen");
  if (c.udp) {
    auto bind = listen;
    bind.set_port(c.port);
    s.udp = std::make_unique<TurnUdpSocket>(s.loop, bind);
    s.udp_local = s.udp->local_address();
    s.udp->start([&s](std::span<uint8_t> datagram, const net::SocketAddress& from) {
      UdpClient client(*s.udp, from);
      s.handler->on_client_message(datagram, FiveTuple{from, s.udp_local, Transport::Udp}, client, Clock::now());
    });
  }
  auto open_acceptor = [&](uint16_t port) {
    tcp::endpoint ep(asio::ip::make_address(listen.ip_string()), port);
    tcp::acceptor acceptor(s.io);
    acceptor.open(ep.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    boost::system::error_code ec;
    acceptor.bind(ep, ec);
    if (ec) throw std::system_error(ec.value(), std::generic_category(), "cannot bind TCP " + listen.ip_string() + ":" + std::to_string(port));
    acceptor.listen(1024);
    return acceptor;
  };
  if (c.tcp) {
    // With port 0 the TCP listener follows the UDP one, so one number serves both.
    uint16_t port = c.port == 0 && s.udp ? s.udp_local.port() : c.port;
    s.tcp_acceptor.emplace(open_acceptor(port));
    s.accept(*s.tcp_acceptor, false);
  }
  if (c.tls_port != 0) {
    s.tls.emplace(asio::ssl::context::tls_server);
    s.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
    if (!c.tls_cert_file.empty() && !c.tls_key_file.empty()) {
      s.tls->use_certificate_chain_file(c.tls_cert_file);
      s.tls->use_private_key_file(c.tls_key_file, asio::ssl::context::pem);
    } else if (c.dev) {
      auto pem = make_self_signed_certificate("ciphertalk-turn-dev");
      s.tls->use_certificate(asio::buffer(pem.certificate), asio::ssl::context::pem);
      s.tls->use_private_key(asio::buffer(pem.private_key), asio::ssl::context::pem);
    } else {
      throw std::invalid_argument("TURN over TLS needs a certificate and key (or dev mode, or TLS port 0)");
    }
    s.tls_acceptor.emplace(open_acceptor(c.tls_port));
    s.accept(*s.tls_acceptor, true);
  }
  s.sweep.emplace(s.io);
  s.schedule_sweep();
  s.running = true;
  s.thread = std::thread([&s] {
    try {
      s.loop.run();
    } catch (const std::exception& e) {
      spdlog::error("turn: event loop stopped: {}", e.what());
    }
  });
  spdlog::info("turn: listening udp/tcp {}:{} tls {} realm {}", listen.ip_string(), udp_port(),
               tls_port() ? std::to_string(tls_port()) : std::string("off"), c.realm);
}

void TurnServer::stop() {
  auto& s = *impl_;
  if (!s.running.exchange(false)) return;
  s.io.stop();
  if (s.thread.joinable()) s.thread.join();
  s.sweep.reset();
  s.handler.reset();
  s.tcp_acceptor.reset();
  s.tls_acceptor.reset();
  if (s.udp) s.udp->close();
}

void TurnServer::allow_peer(const net::SocketAddress& endpoint) {
  auto& s = *impl_;
  if (!s.running) {
    if (s.handler) s.handler->policy().allow_endpoint(endpoint);
    return;
  }
  asio::post(s.io, [&s, endpoint] {
    if (s.handler) s.handler->policy().allow_endpoint(endpoint);
  });
}

TurnStats TurnServer::stats() const { return impl_->counters.snapshot(); }

uint16_t TurnServer::udp_port() const { return impl_->udp ? impl_->udp_local.port() : 0; }
uint16_t TurnServer::tcp_port() const {
  return impl_->tcp_acceptor ? impl_->tcp_acceptor->local_endpoint().port() : 0;
}
uint16_t TurnServer::tls_port() const {
  return impl_->tls_acceptor ? impl_->tls_acceptor->local_endpoint().port() : 0;
}

}  // namespace ct::turn
