#include "turn/PeerAddressPolicy.hpp"

#include <array>
#include <charconv>
#include <cstring>

namespace ct::turn {
namespace {

bool prefix_match(const uint8_t* a, const uint8_t* b, unsigned bits) {
  unsigned whole = bits / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = uint8_t(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

bool restricted_v4(const uint8_t* a) {
  switch (a[0]) {
    case 0:    // "this network", includes 0.0.0.0 which Linux treats as loopback
    case 10:   // RFC 1918
    case 127:  // loopback
      return true;
    default:
      break;
  }
  if (a[0] == 100 && (a[1] & 0xC0) == 64) return true;   // 100.64/10 CGNAT (RFC 6598)
  if (a[0] == 169 && a[1] == 254) return true;           // link-local, cloud metadata
  if (a[0] == 172 && (a[1] & 0xF0) == 16) return true;   // 172.16/12
  if (a[0] == 192 && a[1] == 168) return true;           // 192.168/16
  if (a[0] == 192 && a[1] == 0 && a[2] == 0) return true;  // 192.0.0/24 IETF assignments
  if (a[0] == 198 && (a[1] & 0xFE) == 18) return true;   // 198.18/15 benchmarking
  if (a[0] >= 224) return true;                          // multicast, reserved, broadcast
  return false;
}

bool restricted_v6(const uint8_t* a) {
  static constexpr std::array<uint8_t, 16> zero{};
  if (std::memcmp(a, zero.data(), 15) == 0 && (a[15] == 0 || a[15] == 1)) return true;  // :: and ::1
  if (a[0] == 0xFF) return true;                        // multicast
  if ((a[0] & 0xFE) == 0xFC) return true;               // fc00::/7 unique local
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) return true;  // fe80::/10 link-local
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0xC0) return true;  // fec0::/10 old site-local
  // IPv4-compatible ::a.b.c.d (deprecated) and NAT64 64:ff9b::/96 carry an
  // IPv4 address some stacks will route: judge it as that address.
  if (std::memcmp(a, zero.data(), 12) == 0) return restricted_v4(a + 12);
  static constexpr std::array<uint8_t, 12> nat64{0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(a, nat64.data(), 12) == 0) return restricted_v4(a + 12);
  // 6to4 2002:V4ADDR::/48 likewise.
  if (a[0] == 0x20 && a[1] == 0x02) return restricted_v4(a + 2);
  return false;
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto ip = net::SocketAddress::parse_ip(text.substr(0, slash), 0);
  if (!ip) return std::nullopt;
  Cidr c;
  c.network = ip->unmapped();
  unsigned max_bits = c.network.is_v4() ? 32 : 128;
  unsigned bits = max_bits;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || bits > max_bits) return std::nullopt;
  }
  c.prefix = uint8_t(bits);
  return c;
}

bool Cidr::contains(const net::SocketAddress& address) const {
  auto a = address.unmapped();
  if (a.family() != network.family()) return false;
  return prefix_match(a.bytes(), network.bytes(), prefix);
}

bool PeerAddressPolicy::is_restricted(const net::SocketAddress& address) {
  auto a = address.unmapped();
  return a.is_v4() ? restricted_v4(a.bytes()) : restricted_v6(a.bytes());
}

PeerVerdict PeerAddressPolicy::check(const net::SocketAddress& peer) const {
  auto a = peer.unmapped();
  for (const auto& range : allowed_ranges_)
    if (range.contains(a)) return PeerVerdict::Allowed;
  if (!is_restricted(a)) return PeerVerdict::Allowed;
  if (endpoint_allowed(a)) return PeerVerdict::AllowedPortOnly;
  return PeerVerdict::Refused;
}

}  // namespace ct::turn
