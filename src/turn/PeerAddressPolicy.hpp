#pragma once
// Which peer addresses a TURN relay may send to (RFC 8656 §21.2.3: a relay
// must not become a way into the operator's own networks). Refused by default
// after normalising the address (IPv4-mapped IPv6 is judged as the IPv4
// address it carries, the CVE-2020-26262 class of bypass):
// unspecified (0.0.0.0/8, ::), loopback (127/8, ::1), RFC 1918 private,
// CGNAT 100.64/10, link-local (169.254/16, fe80::/10, which includes the
// 169.254.169.254 cloud metadata service), unique-local fc00::/7, multicast
// (224/4, ff00::/8), broadcast and reserved 240/4, IETF 192.0.0/24 and
// IPv4-translated / NAT64 prefixes that embed such IPv4 addresses.
// An allow-list of CIDR ranges opens ranges; exact address:port entries open
// one endpoint (the SFU's own media socket) without opening its whole host.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "net/SocketAddress.hpp"

namespace ct::turn {

struct Cidr {
  net::SocketAddress network;  // port unused
  uint8_t prefix = 0;

  // "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128).
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const net::SocketAddress& address) const;
};

enum class PeerVerdict : uint8_t {
  Allowed,         // anywhere on that host
  AllowedPortOnly, // only the exact address:port on the allow-list
  Refused,
};

class PeerAddressPolicy {
 public:
  void allow(const Cidr& range) { allowed_ranges_.push_back(range); }
  void allow_endpoint(const net::SocketAddress& endpoint) { allowed_endpoints_.insert(endpoint.unmapped()); }

  // For a CreatePermission / ChannelBind: may the relay talk to this host?
  PeerVerdict check(const net::SocketAddress& peer) const;
  // For a permission granted AllowedPortOnly: is this exact endpoint open?
  bool endpoint_allowed(const net::SocketAddress& peer) const {
    return allowed_endpoints_.count(peer.unmapped()) != 0;
  }

  // True for the address classes refused by default (see above).
  static bool is_restricted(const net::SocketAddress& address);

 private:
  std::vector<Cidr> allowed_ranges_;
  std::unordered_set<net::SocketAddress> allowed_endpoints_;
};

}  // namespace ct::turn
