#pragma once
// The seams between TURN's protocol logic and its sockets, so the request
// handler runs unchanged over UDP, TCP and TLS, and under test without sockets.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "net/SocketAddress.hpp"

namespace ct::turn {

enum class Transport : uint8_t { Udp, Tcp, Tls };

// RFC 8656 §2: the client's 5-tuple (client address, server address, transport)
// names its allocation.
struct FiveTuple {
  net::SocketAddress client;
  net::SocketAddress server;
  Transport transport = Transport::Udp;
  friend bool operator==(const FiveTuple&, const FiveTuple&) = default;
};

struct FiveTupleHash {
  size_t operator()(const FiveTuple& t) const noexcept {
    return t.client.hash() * 31 + t.server.hash() * 7 + size_t(t.transport);
  }
};

// The way back to one client: a UDP listener plus the client's address, or a
// TCP/TLS connection.
class ClientConnection {
 public:
  virtual ~ClientConnection() = default;
  // One whole STUN or ChannelData message (already padded on streams).
  virtual void send_to_client(std::span<const uint8_t> message) = 0;
  // Streams need ChannelData padded to 4 bytes (RFC 8656 §12.5).
  virtual bool is_stream() const = 0;
  // A handle that outlives the current packet, kept by an allocation.
  virtual std::shared_ptr<ClientConnection> retain() = 0;
};

// A relayed transport address: a UDP socket the server sends to peers from
// and receives their datagrams on.
class RelaySocket {
 public:
  using Receiver = std::function<void(std::span<uint8_t> datagram, const net::SocketAddress& from)>;
  virtual ~RelaySocket() = default;
  virtual void start(Receiver receiver) = 0;
  virtual void send_to_peer(std::span<const uint8_t> datagram, const net::SocketAddress& to) = 0;
};

class RelaySocketFactory {
 public:
  virtual ~RelaySocketFactory() = default;
  // Binds `address` (a specific port); nullptr if it is taken.
  virtual std::unique_ptr<RelaySocket> open(const net::SocketAddress& address) = 0;
};

}  // namespace ct::turn
