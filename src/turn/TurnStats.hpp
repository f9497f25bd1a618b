#pragma once
// TURN metrics: allocations, relayed traffic, and refused requests by reason.
// Counters are written by the server's event loop and may be read from any
// thread (single writer: a relaxed load+store, no locked instruction per packet).
#include <atomic>
#include <cstdint>

namespace ct::turn {

struct TurnStats {
  uint64_t allocations_active = 0;
  uint64_t allocations_total = 0;
  uint64_t packets_to_peers = 0;
  uint64_t bytes_to_peers = 0;
  uint64_t packets_to_clients = 0;
  uint64_t bytes_to_clients = 0;
  // Refused requests by reason (the error code sent).
  uint64_t refused_unauthenticated = 0;   // 401
  uint64_t refused_stale_nonce = 0;       // 438
  uint64_t refused_bad_request = 0;       // 400, 420
  uint64_t refused_forbidden_peer = 0;    // 403
  uint64_t refused_mismatch = 0;          // 437
  uint64_t refused_wrong_credentials = 0; // 441
  uint64_t refused_unsupported = 0;       // 440, 442, 443
  uint64_t refused_quota = 0;             // 486
  uint64_t refused_capacity = 0;          // 508
  // Relayed packets dropped.
  uint64_t dropped_no_permission = 0;
  uint64_t dropped_bandwidth = 0;
  uint64_t dropped_malformed = 0;
  // Messages for a client or peer whose socket or TCP/TLS connection had no
  // room left (a full send buffer with a full backlog, a client not reading).
  uint64_t dropped_send_full = 0;
};

class Counter {
 public:
  void add(uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void sub(uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

struct TurnCounters {
  Counter allocations_active, allocations_total, packets_to_peers, bytes_to_peers, packets_to_clients,
      bytes_to_clients, refused_unauthenticated, refused_stale_nonce, refused_bad_request, refused_forbidden_peer,
      refused_mismatch, refused_wrong_credentials, refused_unsupported, refused_quota, refused_capacity,
      dropped_no_permission, dropped_bandwidth, dropped_malformed, dropped_send_full;

  TurnStats snapshot() const {
    return {allocations_active.get(),      allocations_total.get(),        packets_to_peers.get(),
            bytes_to_peers.get(),          packets_to_clients.get(),       bytes_to_clients.get(),
            refused_unauthenticated.get(), refused_stale_nonce.get(),      refused_bad_request.get(),
            refused_forbidden_peer.get(),  refused_mismatch.get(),         refused_wrong_credentials.get(),
            refused_unsupported.get(),     refused_quota.get(),            refused_capacity.get(),
            dropped_no_permission.get(),   dropped_bandwidth.get(),        dropped_malformed.get(),
            dropped_send_full.get()};
  }
};

}  // namespace ct::turn
