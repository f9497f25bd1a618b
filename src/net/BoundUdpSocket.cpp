#include "net/BoundUdpSocket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

#include "core/Log.hpp"

namespace ct::net {

namespace {

// SO_RCVBUFFORCE / SO_SNDBUFFORCE pass the net.core.[rw]mem_max ceiling when
// the process may (CAP_NET_ADMIN); otherwise the plain option, which the
// kernel silently caps.
int set_buffer(int fd, int option, int force_option, int bytes) {
  if (::setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof(bytes)) != 0)
    ::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof(bytes));
  int granted = 0;
  socklen_t len = sizeof(granted);
  if (::getsockopt(fd, SOL_SOCKET, option, &granted, &len) != 0) return bytes;
  return granted / 2;  // socket(7): the kernel doubles the value for its bookkeeping
}

void warn_once_if_capped(int receive, int send) {
  static std::atomic<bool> warned{false};
  if (receive >= kUdpSocketBufferBytes && send >= kUdpSocketBufferBytes) return;
  if (warned.exchange(true)) return;
  spdlog::warn(
      "UDP socket buffers are capped at {} KiB receive / {} KiB send by the kernel (asked for {} KiB): a burst "
      "(a keyframe to many subscribers, many relayed streams) may be dropped. Raise net.core.rmem_max and "
      "net.core.wmem_max to {} (docs/operations.md, kernel settings)",
      receive / 1024, send / 1024, kUdpSocketBufferBytes / 1024, kUdpSocketBufferBytes);
}

}  // namespace

int open_bound_udp_socket(const SocketAddress& bind_address) {
  sockaddr_storage ss;
  unsigned len = bind_address.to_sockaddr(ss);
  int fd = ::socket(bind_address.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "udp socket");
  const int receive = set_buffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, kUdpSocketBufferBytes);
  const int send = set_buffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, kUdpSocketBufferBytes);
  warn_once_if_capped(receive, send);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(), "cannot bind UDP " + bind_address.to_string());
  }
  return fd;
}

}  // namespace ct::net
