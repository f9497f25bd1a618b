#include "net/UdpSocket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/Log.hpp"
#include "net/BoundUdpSocket.hpp"

namespace ct::net {

namespace asio = boost::asio;

struct UdpSocket::Impl {
  asio::io_context& io;
  int fd = -1;
  // Joins the reactor only in start(): an fd in an epoll set costs every
  // arriving datagram a wake-up callback, which polled sockets avoid.
  asio::ip::udp::socket socket;
  bool v4 = true;
  bool polled = false;
  ReceiveHandler handler;
  Stats stats;
  bool closed = false;
  bool flush_posted = false;

  // Receive side: kBatch buffers, headers and addresses, reused forever.
  std::array<std::array<uint8_t, kMaxDatagram>, kBatch> rx_buffers;
  std::array<sockaddr_storage, kBatch> rx_addrs;
  std::array<iovec, kBatch> rx_iov;
  std::array<mmsghdr, kBatch> rx_msgs;

  // Send side: a batch of copies waiting for sendmmsg.
  std::array<std::array<uint8_t, kMaxDatagram>, kBatch> tx_buffers;
  std::array<sockaddr_storage, kBatch> tx_addrs;
  std::array<iovec, kBatch> tx_iov;
  std::array<mmsghdr, kBatch> tx_msgs;
  size_t tx_count = 0;

  Impl(asio::io_context& io_context) : io(io_context), socket(io_context) {}

  void arm() {
    if (closed) return;
    socket.async_wait(asio::ip::udp::socket::wait_read, [this](const boost::system::error_code& ec) {
      if (ec || closed) return;
      drain();
      arm();
    });
  }

  void drain() {
    // Bounded so one busy socket cannot starve timers and other work.
    for (int round = 0; round < 8; ++round) {
      for (size_t i = 0; i < kBatch; ++i) {
        rx_iov[i] = {rx_buffers[i].data(), kMaxDatagram};
        std::memset(&rx_msgs[i].msg_hdr, 0, sizeof(msghdr));
        rx_msgs[i].msg_hdr.msg_name = &rx_addrs[i];
        rx_msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
        rx_msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int n = ::recvmmsg(fd, rx_msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
      ++stats.receive_syscalls;
      if (n <= 0) break;
      for (int i = 0; i < n; ++i) {
        if (rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) continue;  // larger than any media datagram we accept
        auto from = SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&rx_addrs[i]));
        if (!from) continue;
        size_t len = rx_msgs[i].msg_len;
        ++stats.received_packets;
        stats.received_bytes += len;
        handler(std::span<uint8_t>(rx_buffers[i].data(), len), from->unmapped());
      }
      if (size_t(n) < kBatch) break;
    }
    flush();
  }

  void flush() {
    flush_posted = false;
    size_t sent = 0;
    while (sent < tx_count) {
      int n = ::sendmmsg(fd, tx_msgs.data() + sent, unsigned(tx_count - sent), MSG_DONTWAIT);
      ++stats.send_syscalls;
      if (n < 0) {
        if (errno == EINTR) continue;
        // EAGAIN (socket buffer full) or an ICMP error for one destination:
        // drop the head datagram and carry on; media tolerates loss, stalls it does not.
        ++stats.send_errors;
        ++sent;
        continue;
      }
      for (int i = 0; i < n; ++i) {
        ++stats.sent_packets;
        stats.sent_bytes += tx_msgs[sent + size_t(i)].msg_len;
      }
      sent += size_t(n);
    }
    tx_count = 0;
  }
};

UdpSocket::UdpSocket(asio::io_context& io, const SocketAddress& bind_address) : impl_(std::make_shared<Impl>(io)) {
  impl_->fd = open_bound_udp_socket(bind_address);
  impl_->v4 = bind_address.is_v4();
  for (size_t i = 0; i < kBatch; ++i) {
    std::memset(&impl_->tx_msgs[i], 0, sizeof(mmsghdr));
    impl_->tx_msgs[i].msg_hdr.msg_name = &impl_->tx_addrs[i];
    impl_->tx_msgs[i].msg_hdr.msg_iov = &impl_->tx_iov[i];
    impl_->tx_msgs[i].msg_hdr.msg_iovlen = 1;
  }
}

UdpSocket::~UdpSocket() { close(); }

void UdpSocket::start(ReceiveHandler handler) {
  auto& s = *impl_;
  s.handler = std::move(handler);
  if (s.closed) return;
  if (!s.socket.is_open()) s.socket.assign(s.v4 ? asio::ip::udp::v4() : asio::ip::udp::v6(), s.fd);
  s.arm();
}

void UdpSocket::start_polled(ReceiveHandler handler) {
  impl_->handler = std::move(handler);
  impl_->polled = true;
}

void UdpSocket::poll() {
  auto& s = *impl_;
  if (s.closed || !s.polled) return;
  s.drain();
}

void UdpSocket::close() {
  if (impl_->closed) return;
  impl_->flush();
  impl_->closed = true;
  if (impl_->socket.is_open()) {
    boost::system::error_code ec;
    impl_->socket.close(ec);  // closes the fd
  } else {
    ::close(impl_->fd);
  }
}

void UdpSocket::send(std::span<const uint8_t> datagram, const SocketAddress& to) {
  auto& s = *impl_;
  if (s.closed || datagram.size() > kMaxDatagram) {
    ++s.stats.send_errors;
    return;
  }
  if (s.tx_count == kBatch) s.flush();
  size_t i = s.tx_count++;
  std::memcpy(s.tx_buffers[i].data(), datagram.data(), datagram.size());
  s.tx_iov[i] = {s.tx_buffers[i].data(), datagram.size()};
  s.tx_msgs[i].msg_hdr.msg_namelen = to.to_sockaddr(s.tx_addrs[i]);
  if (!s.flush_posted) {
    // Sends made outside a receive batch (timers, signaling) still leave promptly.
    s.flush_posted = true;
    asio::post(s.io, [weak = std::weak_ptr<Impl>(impl_)] {
      auto impl = weak.lock();
      if (impl && impl->flush_posted && !impl->closed) impl->flush();
    });
  }
}

void UdpSocket::flush() { impl_->flush(); }

SocketAddress UdpSocket::local_address() const {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  ::getsockname(impl_->fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss)).value_or(SocketAddress{});
}

const UdpSocket::Stats& UdpSocket::stats() const { return impl_->stats; }

}  // namespace ct::net
