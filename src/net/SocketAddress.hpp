#pragma once
// An IPv4 or IPv6 address with a port, as a small value type: comparable,
// hashable and free of any socket library, so protocol code (STUN, ICE, TURN)
// can carry addresses without depending on Asio.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct sockaddr;
struct sockaddr_storage;

namespace ct::net {

class SocketAddress {
 public:
  enum class Family : uint8_t { V4, V6 };

  SocketAddress() = default;
  static SocketAddress v4(std::array<uint8_t, 4> addr, uint16_t port);
  static SocketAddress v6(std::array<uint8_t, 16> addr, uint16_t port);
  // "1.2.3.4:5", "[::1]:5"; or an address alone with `port`.
  static std::optional<SocketAddress> parse(std::string_view text);
  static std::optional<SocketAddress> parse_ip(std::string_view ip, uint16_t port);
  static std::optional<SocketAddress> from_sockaddr(const sockaddr* sa);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::V4; }
  uint16_t port() const { return port_; }
  void set_port(uint16_t p) { port_ = p; }
  // 4 bytes for IPv4, 16 for IPv6, network order.
  const uint8_t* bytes() const { return addr_.data(); }
  size_t size() const { return is_v4() ? 4 : 16; }

  // Returns the length of the filled sockaddr.
  unsigned to_sockaddr(sockaddr_storage& out) const;
  std::string ip_string() const;
  std::string to_string() const;  // "ip:port", IPv6 in brackets

  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it is.
  SocketAddress unmapped() const;

  friend bool operator==(const SocketAddress& a, const SocketAddress& b) {
    return a.family_ == b.family_ && a.port_ == b.port_ && a.addr_ == b.addr_;
  }
  size_t hash() const;

 private:
  std::array<uint8_t, 16> addr_{};
  uint16_t port_ = 0;
  Family family_ = Family::V4;
};

}  // namespace ct::net

template <>
struct std::hash<ct::net::SocketAddress> {
  size_t operator()(const ct::net::SocketAddress& a) const noexcept { return a.hash(); }
};
