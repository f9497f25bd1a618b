#pragma once
// CipherTalk's STUN/TURN server (RFC 8656) over UDP and TCP (port 3478) and
// TLS (5349), with coturn-compatible REST credentials. Runs on its own
// event-loop thread, embedded in `ciphertalk serve` or standalone
// (`ciphertalk turn`).
#include <memory>

#include "net/SocketAddress.hpp"
#include "turn/TurnServerConfig.hpp"
#include "turn/TurnStats.hpp"

namespace ct::turn {

class TurnServer {
 public:
  // Validates the config; throws std::invalid_argument if it is unusable.
  explicit TurnServer(TurnServerConfig config);
  ~TurnServer();
  TurnServer(const TurnServer&) = delete;
  TurnServer& operator=(const TurnServer&) = delete;

  // Binds every listener (throws std::system_error / std::runtime_error if it
  // cannot) and starts the event-loop thread.
  void start();
  // Stops the thread and closes every socket and allocation. Idempotent.
  void stop();

  // Opens one peer endpoint despite the address filter, e.g. the SFU's own
  // media address on loopback or a private network. Any thread.
  void allow_peer(const net::SocketAddress& endpoint);

  TurnStats stats() const;
  // Whether packets from `remote` come from one of this server's open UDP
  // relay sockets (the SFU's peer is then a relayed client). Any thread.
  bool is_relay_address(const net::SocketAddress& remote) const;

  // The bound ports, useful when the config asked for port 0.
  uint16_t udp_port() const;
  uint16_t tcp_port() const;
  uint16_t tls_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::turn
