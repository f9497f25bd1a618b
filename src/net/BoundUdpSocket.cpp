#include "net/BoundUdpSocket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace ct::net {

int open_bound_udp_socket(const SocketAddress& bind_address) {
  sockaddr_storage ss;
  unsigned len = bind_address.to_sockaddr(ss);
  int fd = ::socket(bind_address.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "udp socket");
  int bufsize = kUdpSocketBufferBytes;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(), "cannot bind UDP " + bind_address.to_string());
  }
  return fd;
}

}  // namespace ct::net
