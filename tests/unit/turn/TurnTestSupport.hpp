#pragma once
// Fakes for driving TurnRequestHandler without sockets.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/Random.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"
#include "turn/RestCredentials.hpp"
#include "turn/TurnRequestHandler.hpp"

namespace ct::turn::test {

struct FakeClient : ClientConnection, std::enable_shared_from_this<FakeClient> {
  explicit FakeClient(bool stream = false) : stream(stream) {}
  void send_to_client(std::span<const uint8_t> m) override { sent.emplace_back(m.begin(), m.end()); }
  bool is_stream() const override { return stream; }
  std::shared_ptr<ClientConnection> retain() override { return shared_from_this(); }
  std::vector<std::vector<uint8_t>> sent;
  bool stream;
  static std::shared_ptr<FakeClient> make(bool stream = false) { return std::make_shared<FakeClient>(stream); }
};

struct FakeRelayWorld;

struct FakeRelay : RelaySocket {
  FakeRelay(FakeRelayWorld& w, net::SocketAddress a) : world(w), address(a) {}
  ~FakeRelay() override;
  void start(Receiver r) override { receiver = std::move(r); }
  void send_to_peer(std::span<const uint8_t> d, const net::SocketAddress& to) override;
  FakeRelayWorld& world;
  net::SocketAddress address;
  Receiver receiver;
};

struct Sent {
  uint16_t from_port;
  net::SocketAddress to;
  std::vector<uint8_t> data;
};

struct FakeRelayWorld : RelaySocketFactory {
  std::unique_ptr<RelaySocket> open(const net::SocketAddress& a) override {
    if (busy.count(a.port()) || open_ports.count(a.port())) return nullptr;
    auto r = std::make_unique<FakeRelay>(*this, a);
    open_ports[a.port()] = r.get();
    return r;
  }
  // Delivers a datagram from `peer` to the relay on `port`; false if none listens.
  bool deliver(uint16_t port, const net::SocketAddress& peer, std::vector<uint8_t> data) {
    auto it = open_ports.find(port);
    if (it == open_ports.end() || !it->second->receiver) return false;
    it->second->receiver(data, peer);
    return true;
  }
  std::set<uint16_t> busy;
  std::map<uint16_t, FakeRelay*> open_ports;
  std::vector<Sent> sent;
};

inline FakeRelay::~FakeRelay() { world.open_ports.erase(address.port()); }
inline void FakeRelay::send_to_peer(std::span<const uint8_t> d, const net::SocketAddress& to) {
  world.sent.push_back({address.port(), to, {d.begin(), d.end()}});
}

inline stun::TransactionId new_id() {
  stun::TransactionId id;
  random_bytes(id);
  return id;
}

// Builds requests as a TURN client would, keeping the nonce and key.
struct TurnTestClient {
  std::string username, password, realm = "test";
  std::string nonce;
  std::vector<uint8_t> buffer;

  template <class Fill>
  std::vector<uint8_t> request(stun::Method method, Fill&& fill, bool authenticate = true,
                               stun::TransactionId id = new_id()) {
    stun::StunMessageBuilder b(buffer, method, stun::MessageClass::Request, id);
    fill(b);
    if (authenticate) {
      b.add_username(username).add_realm(realm).add_nonce(nonce);
      auto key = stun::long_term_key(username, realm, password);
      b.add_message_integrity(key);
    }
    b.add_fingerprint();
    return {b.bytes().begin(), b.bytes().end()};
  }
};

}  // namespace ct::turn::test
