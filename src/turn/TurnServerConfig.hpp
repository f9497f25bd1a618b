#pragma once
// Everything a TurnServer needs to know, with the defaults of a safe deployment.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ct::turn {

struct TurnServerConfig {
  std::string listen_address = "0.0.0.0";  // UDP, TCP and TLS listeners
  uint16_t port = 3478;                    // UDP and TCP (RFC 8656 §4); 0 picks a free port
  uint16_t tls_port = 5349;                // TLS; 0 = no TLS listener
  bool udp = true;
  bool tcp = true;

  std::string realm = "ciphertalk";
  // Shared secrets for REST credentials (coturn's static-auth-secret). Every
  // one is accepted, so a new secret can be rolled out before the old is dropped.
  std::vector<std::string> secrets;

  std::string tls_cert_file;  // PEM chain
  std::string tls_key_file;   // PEM key
  bool dev = false;           // no cert given: make a self-signed one

  // Relayed transport addresses: sockets bind `relay_address` (default: the
  // listen address) and are announced as `external_address` (default: the
  // relay address), e.g. the public IP behind 1:1 NAT.
  std::string relay_address;
  std::string external_address;
  uint16_t relay_port_min = 49152;
  uint16_t relay_port_max = 65535;

  // Peer ranges opened despite the default address filter, e.g. "10.1.0.0/16".
  std::vector<std::string> allow_peers;

  size_t max_allocations = 10000;
  size_t max_allocations_per_user = 32;
  size_t max_permissions_per_allocation = 64;
  size_t max_channels_per_allocation = 64;
  // Per allocation, both directions together; 0 = unlimited. 5 MB/s (40 Mbit/s)
  // carries several HD video streams.
  uint64_t bandwidth_bytes_per_second = 5'000'000;

  std::chrono::seconds default_lifetime{600};  // RFC 8656 §3.8
  std::chrono::seconds max_lifetime{3600};
  std::chrono::seconds permission_lifetime{300};  // RFC 8656 §9
  std::chrono::seconds channel_lifetime{600};     // RFC 8656 §12
  std::chrono::seconds nonce_lifetime{600};
  std::chrono::seconds reservation_lifetime{30};  // RFC 8656 §7.2, EVEN-PORT reservations

  std::string software = "CipherTalk";
};

}  // namespace ct::turn
