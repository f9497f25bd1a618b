#include "net/SocketAddress.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace ct::net {

SocketAddress SocketAddress::v4(std::array<uint8_t, 4> addr, uint16_t port) {
  SocketAddress a;
  a.family_ = Family::V4;
  std::memcpy(a.addr_.data(), addr.data(), 4);
  a.port_ = port;
  return a;
}

SocketAddress SocketAddress::v6(std::array<uint8_t, 16> addr, uint16_t port) {
  SocketAddress a;
  a.family_ = Family::V6;
  a.addr_ = addr;
  a.port_ = port;
  return a;
}

std::optional<SocketAddress> SocketAddress::parse_ip(std::string_view ip, uint16_t port) {
  std::string s(ip);
  if (!s.empty() && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  std::array<uint8_t, 16> buf{};
  if (inet_pton(AF_INET, s.c_str(), buf.data()) == 1) {
    return v4({buf[0], buf[1], buf[2], buf[3]}, port);
  }
  if (inet_pton(AF_INET6, s.c_str(), buf.data()) == 1) return v6(buf, port);
  return std::nullopt;
}

std::optional<SocketAddress> SocketAddress::parse(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  // A bare IPv6 address without brackets has several colons and no port.
  if (host.find(':') != std::string_view::npos && host.front() != '[') return std::nullopt;
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) return std::nullopt;
  return parse_ip(host, uint16_t(port));
}

std::optional<SocketAddress> SocketAddress::from_sockaddr(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    std::array<uint8_t, 4> a;
    std::memcpy(a.data(), &in->sin_addr, 4);
    return v4(a, ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    std::array<uint8_t, 16> a;
    std::memcpy(a.data(), &in6->sin6_addr, 16);
    return v6(a, ntohs(in6->sin6_port));
  }
  return std::nullopt;
}

unsigned SocketAddress::to_sockaddr(sockaddr_storage& out) const {
  std::memset(&out, 0, sizeof(out));
  if (is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out);
    in->sin_family = AF_INET;
    in->sin_port = htons(port_);
    std::memcpy(&in->sin_addr, addr_.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port_);
  std::memcpy(&in6->sin6_addr, addr_.data(), 16);
  return sizeof(sockaddr_in6);
}

std::string SocketAddress::ip_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, addr_.data(), buf, sizeof(buf));
  return buf;
}

std::string SocketAddress::to_string() const {
  if (is_v4()) return ip_string() + ":" + std::to_string(port_);
  return "[" + ip_string() + "]:" + std::to_string(port_);
}

SocketAddress SocketAddress::unmapped() const {
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (!is_v4() && std::memcmp(addr_.data(), kMappedPrefix, 12) == 0) {
    return v4({addr_[12], addr_[13], addr_[14], addr_[15]}, port_);
  }
  return *this;
}

size_t SocketAddress::hash() const {
  // FNV-1a over the bytes that matter.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  for (size_t i = 0; i < size(); ++i) mix(addr_[i]);
  mix(uint8_t(port_ >> 8));
  mix(uint8_t(port_));
  mix(uint8_t(family_));
  return size_t(h);
}

}  // namespace ct::net
