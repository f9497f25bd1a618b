#pragma once
// The far end of a UDP socket under test: a plain blocking socket on
// loopback that sends with sendto and receives with a timeout.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace ct::test {

class PlainUdpSocket {
 public:
  PlainUdpSocket() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    int bufsize = 1 << 20;  // room for a whole backlog of small datagrams
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~PlainUdpSocket() { ::close(fd_); }
  PlainUdpSocket(const PlainUdpSocket&) = delete;
  PlainUdpSocket& operator=(const PlainUdpSocket&) = delete;

  uint16_t port() const { return port_; }
  void send_to(uint16_t port, const std::vector<uint8_t>& data) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  std::optional<std::vector<uint8_t>> receive(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    std::vector<uint8_t> buffer(2048);
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) return std::nullopt;
    buffer.resize(size_t(n));
    return buffer;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace ct::test
