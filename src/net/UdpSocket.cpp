#include "net/UdpSocket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "core/Log.hpp"
#include "net/BoundUdpSocket.hpp"
#include "net/DatagramQueue.hpp"

namespace ct::net {

namespace asio = boost::asio;

struct UdpSocket::Impl : std::enable_shared_from_this<UdpSocket::Impl> {
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

  // Datagrams the kernel had no room for (EAGAIN: the send buffer is full,
  // e.g. a keyframe fanned out to many subscribers on a slow link), in
  // order, until the socket is writable again; beyond kMaxBacklog they are
  // dropped and counted.
  DatagramQueue backlog{kMaxBacklog};
  bool blocked = false;
  bool write_wait_armed = false;

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

  static bool send_buffer_full(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

  void count_sent(const mmsghdr* msgs, int n) {
    for (int i = 0; i < n; ++i) {
      ++stats.sent_packets;
      stats.sent_bytes += msgs[i].msg_len;
    }
  }

  // One sendmmsg: how many datagrams left (counted); 0 if the send buffer
  // is full (the socket is now blocked); -1 if the first one failed and is
  // dropped (an error for one destination, say no route: media tolerates
  // loss, stalls it does not).
  int send_batch(mmsghdr* msgs, size_t count) {
    for (;;) {
      const int n = ::sendmmsg(fd, msgs, unsigned(count), MSG_DONTWAIT);
      ++stats.send_syscalls;
      if (n > 0) {
        count_sent(msgs, n);
        return n;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0 || send_buffer_full(errno)) {  // nothing taken: wait for room
        ++stats.blocked_sends;
        block();
        return 0;
      }
      ++stats.send_errors;
      return -1;
    }
  }

  void flush() {
    flush_posted = false;
    size_t sent = 0;
    while (sent < tx_count && !blocked) {
      const int n = send_batch(tx_msgs.data() + sent, tx_count - sent);
      sent += n < 0 ? 1 : size_t(n);
    }
    // What is left waits behind anything already waiting, in order.
    for (; sent < tx_count; ++sent) {
      auto to = SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&tx_addrs[sent]));
      if (to) enqueue({tx_buffers[sent].data(), tx_iov[sent].iov_len}, *to);
    }
    tx_count = 0;
  }

  void enqueue(std::span<const uint8_t> datagram, const SocketAddress& to) {
    if (!backlog.push(datagram, to)) ++stats.backlog_drops;
  }

  void block() {
    blocked = true;
    // A polled socket is not in the reactor: its next poll() retries.
    if (write_wait_armed || !socket.is_open()) return;
    write_wait_armed = true;
    socket.async_wait(asio::ip::udp::socket::wait_write,
                      [weak = weak_from_this()](const boost::system::error_code& ec) {
                        auto self = weak.lock();
                        if (ec || !self) return;
                        self->write_wait_armed = false;
                        if (!self->closed) self->flush_backlog();
                      });
  }

  // The socket is writable again (or a poll came): sends the backlog in
  // batches until it is empty or the kernel refuses again.
  void flush_backlog() {
    std::array<mmsghdr, kBatch> msgs;
    std::array<iovec, kBatch> iov;
    std::array<sockaddr_storage, kBatch> addrs;
    while (!backlog.empty()) {
      const size_t count = std::min(backlog.size(), kBatch);
      for (size_t i = 0; i < count; ++i) {
        const auto entry = backlog.at(i);
        iov[i] = {const_cast<uint8_t*>(entry.bytes.data()), entry.bytes.size()};
        std::memset(&msgs[i], 0, sizeof(mmsghdr));
        msgs[i].msg_hdr.msg_name = &addrs[i];
        msgs[i].msg_hdr.msg_namelen = entry.to.to_sockaddr(addrs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      const int n = send_batch(msgs.data(), count);
      if (n == 0) return;  // refused again: the next writable event comes back
      backlog.pop(n < 0 ? 1 : size_t(n));
    }
    blocked = false;
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
  if (s.blocked) s.flush_backlog();
  s.drain();
}

void UdpSocket::close() {
  if (impl_->closed) return;
  impl_->flush();
  if (impl_->blocked) impl_->flush_backlog();  // best effort: what is still refused is lost
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
  if (s.blocked) return s.enqueue(datagram, to);  // behind what already waits, in order
  if (s.tx_count == kBatch) s.flush();
  if (s.blocked) return send(datagram, to);
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
