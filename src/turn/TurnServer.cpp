#include "turn/TurnServer.hpp"

#include <unistd.h>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "core/Log.hpp"
#include "net/EventLoop.hpp"
#include "net/UdpSocket.hpp"
#include "turn/RelayAddressRegistry.hpp"
#include "turn/SelfSignedCertificate.hpp"
#include "turn/StreamConnection.hpp"
#include "turn/StreamListener.hpp"
#include "turn/TlsServerContext.hpp"
#include "turn/TurnRequestHandler.hpp"

namespace ct::turn {

namespace {

constexpr size_t kMaxStreamConnections = 4096;
constexpr auto kSweepInterval = std::chrono::seconds(1);

class UdpRelaySocket final : public RelaySocket {
 public:
  UdpRelaySocket(net::EventLoop& loop, const net::SocketAddress& address, Counter& send_drops,
                 RelayAddressRegistry& registry)
      : socket_(loop, address), address_(address), registry_(registry) {
    socket_.on_backlog_drop([&send_drops] { send_drops.add(); });
    registry_.add(address_);
  }
  ~UdpRelaySocket() override { registry_.remove(address_); }
  UdpRelaySocket(const UdpRelaySocket&) = delete;
  UdpRelaySocket& operator=(const UdpRelaySocket&) = delete;
  void start(Receiver receiver) override { socket_.start(std::move(receiver)); }
  void send_to_peer(std::span<const uint8_t> datagram, const net::SocketAddress& to) override {
    socket_.send(datagram, to);
  }

 private:
  net::UdpSocket socket_;
  net::SocketAddress address_;
  RelayAddressRegistry& registry_;
};

class UdpRelayFactory final : public RelaySocketFactory {
 public:
  UdpRelayFactory(net::EventLoop& loop, Counter& send_drops, RelayAddressRegistry& registry)
      : loop_(loop), send_drops_(send_drops), registry_(registry) {}
  std::unique_ptr<RelaySocket> open(const net::SocketAddress& address) override {
    try {
      return std::make_unique<UdpRelaySocket>(loop_, address, send_drops_, registry_);
    } catch (const std::system_error&) {
      return nullptr;  // port taken: the caller tries another
    }
  }

 private:
  net::EventLoop& loop_;
  Counter& send_drops_;
  RelayAddressRegistry& registry_;
};

// The return path to a UDP client: the listener socket and the client's address.
class UdpClient final : public ClientConnection {
 public:
  UdpClient(net::UdpSocket& socket, const net::SocketAddress& client) : socket_(socket), client_(client) {}
  void send_to_client(std::span<const uint8_t> message) override { socket_.send(message, client_); }
  bool is_stream() const override { return false; }
  std::shared_ptr<ClientConnection> retain() override {
    return std::make_shared<UdpClient>(socket_, client_);
  }

 private:
  net::UdpSocket& socket_;
  net::SocketAddress client_;
};

}  // namespace

struct TurnServer::Impl {
  TurnServerConfig config;
  net::EventLoop loop;  // outlives every socket, connection and timer below
  TurnCounters counters;
  RelayAddressRegistry relays;  // before the factory and the sockets it opens
  UdpRelayFactory relay_factory{loop, counters.dropped_send_full, relays};
  std::optional<TlsServerContext> tls;
  std::unique_ptr<net::UdpSocket> udp;
  net::SocketAddress udp_local;
  std::unique_ptr<StreamListener> tcp_listener;
  std::unique_ptr<StreamListener> tls_listener;
  std::unique_ptr<TurnRequestHandler> handler;
  // TCP and TLS clients, until their close is reported (allocations may
  // retain one a little longer).
  std::unordered_map<StreamConnection*, std::shared_ptr<StreamConnection>> connections;
  std::thread thread;
  std::atomic<bool> running{false};

  void on_accepted(int fd, const net::SocketAddress& client, const net::SocketAddress& server, bool secure);
};

void TurnServer::Impl::on_accepted(int fd, const net::SocketAddress& client, const net::SocketAddress& server,
                                   bool secure) {
  if (connections.size() >= kMaxStreamConnections) {
    ::close(fd);
    return;
  }
  FiveTuple tuple{client, server, secure ? Transport::Tls : Transport::Tcp};
  std::shared_ptr<StreamConnection> connection;
  try {
    connection = std::make_shared<StreamConnection>(loop, fd, tuple, secure ? &*tls : nullptr,
                                                    StreamConnection::kDefaultSetupTimeout,
                                                    &counters.dropped_send_full);
  } catch (const std::exception& e) {
    spdlog::warn("turn: cannot take a connection: {}", e.what());
    return;
  }
  connections.emplace(connection.get(), connection);
  connection->start([this](std::span<uint8_t> frame, StreamConnection& c,
                           TimePoint now) { handler->on_client_message(frame, c.tuple(), c, now); },
                    // Runs deferred: the allocation (and its relay socket) may be what
                    // closed the connection.
                    [this](StreamConnection& c) {
                      handler->on_connection_closed(c.tuple());
                      connections.erase(&c);
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
    s.udp = std::make_unique<net::UdpSocket>(s.loop, bind);
    s.udp->on_backlog_drop([&s] { s.counters.dropped_send_full.add(); });
    s.udp_local = s.udp->local_address();
    s.udp->start([&s](std::span<uint8_t> datagram, const net::SocketAddress& from) {
      UdpClient client(*s.udp, from);
      s.handler->on_client_message(datagram, FiveTuple{from, s.udp_local, Transport::Udp}, client,
                                   Clock::now());
    });
  }
  auto open_listener = [&](uint16_t port, bool secure) {
    auto bind = listen;
    bind.set_port(port);
    auto listener = std::make_unique<StreamListener>(s.loop, bind);
    listener->start([&s, secure](int fd, const net::SocketAddress& client, const net::SocketAddress& server) {
      s.on_accepted(fd, client, server, secure);
    });
    return listener;
  };
  if (c.tcp) {
    // With port 0 the TCP listener follows the UDP one, so one number serves both.
    uint16_t port = c.port == 0 && s.udp ? s.udp_local.port() : c.port;
    s.tcp_listener = open_listener(port, false);
  }
  if (c.tls_port != 0) {
    if (!c.tls_cert_file.empty() && !c.tls_key_file.empty()) {
      s.tls.emplace(TlsServerContext::from_files(c.tls_cert_file, c.tls_key_file));
    } else if (c.dev) {
      auto pem = make_self_signed_certificate("ciphertalk-turn-dev");
      s.tls.emplace(TlsServerContext::from_pem(pem.certificate, pem.private_key));
    } else {
      throw std::invalid_argument("TURN over TLS needs a certificate and key (or dev mode, or TLS port 0)");
    }
    s.tls_listener = open_listener(c.tls_port, true);
  }
  s.loop.schedule_every(kSweepInterval, [&s] { s.handler->expire(Clock::now()); });
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
  s.loop.stop();
  if (s.thread.joinable()) s.thread.join();
  // The loop is still whole: sockets and connections leave it as they close.
  s.handler.reset();
  s.connections.clear();
  s.tcp_listener.reset();
  s.tls_listener.reset();
  if (s.udp) s.udp->close();
}

void TurnServer::allow_peer(const net::SocketAddress& endpoint) {
  auto& s = *impl_;
  if (!s.running) {
    if (s.handler) s.handler->policy().allow_endpoint(endpoint);
    return;
  }
  s.loop.post([&s, endpoint] {
    if (s.handler) s.handler->policy().allow_endpoint(endpoint);
  });
}

TurnStats TurnServer::stats() const { return impl_->counters.snapshot(); }

bool TurnServer::is_relay_address(const net::SocketAddress& remote) const {
  return impl_->relays.contains(remote);
}

uint16_t TurnServer::udp_port() const { return impl_->udp ? impl_->udp_local.port() : 0; }
uint16_t TurnServer::tcp_port() const {
  return impl_->tcp_listener ? impl_->tcp_listener->local_address().port() : 0;
}
uint16_t TurnServer::tls_port() const {
  return impl_->tls_listener ? impl_->tls_listener->local_address().port() : 0;
}

}  // namespace ct::turn
