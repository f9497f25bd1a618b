#pragma once
// TURN's protocol logic (RFC 8656) without sockets: it receives what clients
// and peers send, keeps the allocations, and answers through the
// ClientConnection and RelaySocket seams. Single-threaded: the owning event
// loop calls every method.
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/Clock.hpp"
#include "turn/Allocation.hpp"
#include "turn/NonceIssuer.hpp"
#include "turn/PeerAddressPolicy.hpp"
#include "turn/TurnServerConfig.hpp"
#include "turn/TurnStats.hpp"
#include "turn/TurnTransport.hpp"

namespace ct::stun {
class StunMessage;
}

namespace ct::turn {

class TurnRequestHandler {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  // `relay_bind` is where relay sockets bind (port ignored); `relay_announced`
  // is the address put in XOR-RELAYED-ADDRESS. Throws std::invalid_argument
  // on a malformed allow-list entry.
  TurnRequestHandler(TurnServerConfig config, net::SocketAddress relay_bind, net::SocketAddress relay_announced,
                     RelaySocketFactory& relays, TurnCounters& counters);
  ~TurnRequestHandler();

  // A datagram (UDP) or one framed message (TCP/TLS) from a client.
  void on_client_message(std::span<uint8_t> message, const FiveTuple& tuple, ClientConnection& connection,
                         TimePoint now);
  // A stream closed: its allocation goes with it (RFC 8656 §3.1).
  void on_connection_closed(const FiveTuple& tuple);
  // Deletes expired allocations, permissions, channels and reservations.
  void expire(TimePoint now);

  PeerAddressPolicy& policy() { return policy_; }
  const Allocation* find(const FiveTuple& tuple) const;
  size_t allocation_count() const { return allocations_.size(); }
  size_t reservation_count() const { return reservations_.size(); }
  // Tests replace the wall clock that REST usernames expire against.
  void set_wall_clock(WallClock clock) { wall_clock_ = std::move(clock); }
  // Tests replace the monotonic clock read when peer datagrams arrive.
  void set_clock(std::function<TimePoint()> clock) { clock_ = std::move(clock); }

 private:
  struct Reservation {
    std::unique_ptr<RelaySocket> socket;
    net::SocketAddress announced;
    TimePoint expires;
  };
  struct Reply;

  void handle_request(const stun::StunMessage& request, const FiveTuple& tuple, ClientConnection& connection,
                      TimePoint now);
  bool authenticate(const stun::StunMessage& request, Allocation* allocation, Reply& reply, TimePoint now,
                    std::array<uint8_t, 16>& key, std::string& username);
  void handle_allocate(const stun::StunMessage& request, const FiveTuple& tuple, ClientConnection& connection,
                       Allocation* allocation, Reply& reply, TimePoint now, const std::array<uint8_t, 16>& key,
                       const std::string& username);
  void handle_refresh(const stun::StunMessage& request, Allocation* allocation, Reply& reply, TimePoint now);
  void handle_create_permission(const stun::StunMessage& request, Allocation* allocation, Reply& reply, TimePoint now);
  void handle_channel_bind(const stun::StunMessage& request, Allocation* allocation, Reply& reply, TimePoint now);
  void handle_send(const stun::StunMessage& indication, const FiveTuple& tuple, TimePoint now);
  void handle_channel_data(std::span<const uint8_t> message, const FiveTuple& tuple, TimePoint now);
  void on_peer_data(Allocation& allocation, std::span<const uint8_t> data, const net::SocketAddress& from);
  bool relay_to_peer(Allocation& allocation, std::span<const uint8_t> data, const net::SocketAddress& peer,
                     TimePoint now);
  // A relay socket on a port from the range; with `even`, an even port, and
  // with `reserve_next` also the port above it, returned in `next`.
  std::unique_ptr<RelaySocket> open_relay(bool even, bool reserve_next, std::unique_ptr<RelaySocket>& next,
                                          uint16_t& port);
  void remove(const FiveTuple& tuple);
  void count_refusal(uint16_t code);
  size_t allocations_of(const std::string& user) const;

  TurnServerConfig config_;
  net::SocketAddress relay_bind_;
  net::SocketAddress relay_announced_;
  RelaySocketFactory& relays_;
  TurnCounters& counters_;
  PeerAddressPolicy policy_;
  NonceIssuer nonces_;
  WallClock wall_clock_;
  std::function<TimePoint()> clock_;
  std::unordered_map<FiveTuple, std::unique_ptr<Allocation>, FiveTupleHash> allocations_;
  std::unordered_map<std::string, size_t> per_user_;
  std::unordered_map<uint64_t, Reservation> reservations_;
  std::vector<uint8_t> scratch_;  // outgoing message buffer, reused
  uint64_t indication_counter_ = 0;
  std::array<uint8_t, 4> indication_salt_{};
};

}  // namespace ct::turn
