#include "turn/TurnUdpSocket.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "net/BoundUdpSocket.hpp"
#include "net/DatagramQueue.hpp"
#include "turn/EventLoop.hpp"
#include "turn/TurnStats.hpp"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h, Linux 4.18
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

namespace ct::turn {

namespace {

// Bounded so one flooded socket cannot starve the others: 8 * 32 datagrams,
// then the loop comes back to it after serving the rest.
constexpr int kDrainRounds = 8;
// Within the kernel's limit (UDP_MAX_SEGMENTS, 64 or more) and one batch.
constexpr size_t kMaxSegments = TurnUdpSocket::kBatch;

// Receive buffers shared by every socket of the thread: only one socket
// drains at a time and handlers do not keep the datagram.
struct ReceiveBatch {
  std::array<std::array<uint8_t, TurnUdpSocket::kMaxDatagram>, TurnUdpSocket::kBatch> buffers;
  std::array<sockaddr_storage, TurnUdpSocket::kBatch> addrs;
  std::array<iovec, TurnUdpSocket::kBatch> iov;
  std::array<mmsghdr, TurnUdpSocket::kBatch> msgs;

  ReceiveBatch() {
    for (size_t i = 0; i < TurnUdpSocket::kBatch; ++i) {
      iov[i] = {buffers[i].data(), TurnUdpSocket::kMaxDatagram};
      std::memset(&msgs[i], 0, sizeof(mmsghdr));
      msgs[i].msg_hdr.msg_name = &addrs[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
  }
};

ReceiveBatch& receive_batch() {
  thread_local auto batch = std::make_unique<ReceiveBatch>();
  return *batch;
}

// The sender's address; IPv4 (the common case) without the generic parser.
net::SocketAddress source_of(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    std::array<uint8_t, 4> ip;
    std::memcpy(ip.data(), &in.sin_addr, 4);
    return net::SocketAddress::v4(ip, ntohs(in.sin_port));
  }
  auto parsed = net::SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss));
  return parsed ? parsed->unmapped() : net::SocketAddress{};
}

// Errors that mean this kernel, device or path cannot take a GSO send.
bool gso_refused(int error) { return error == EIO || error == EINVAL || error == ENOPROTOOPT || error == EOPNOTSUPP; }

// Registered with the loop edge-triggered, for EPOLLIN always and EPOLLOUT
// only while blocked: a writable UDP socket would otherwise wake the loop
// after every send.
uint32_t interest(bool writable) { return EPOLLIN | EPOLLET | (writable ? uint32_t(EPOLLOUT) : 0u); }

}  // namespace

struct TurnUdpSocket::Impl final : EventLoop::Handler {
  EventLoop& loop;
  int fd = -1;
  ReceiveHandler handler;
  Stats stats;
  uint64_t loop_key = 0;
  bool registered = false;
  bool dirty = false;
  // The kernel refused a send for lack of buffer space: the rest waits for
  // EPOLLOUT (or, before start(), for the next flush).
  bool blocked = false;
  // UDP GSO: off once the kernel refuses it; segments above `gso_max_segment`
  // once the path refused one that size (segment plus headers over the MTU).
  bool gso = true;
  size_t gso_max_segment = kMaxDatagram;

  // Queued datagrams, and one sendmmsg entry per run of datagrams to one address.
  std::array<std::array<uint8_t, kMaxDatagram>, kBatch> tx_buffers;
  std::array<net::SocketAddress, kBatch> tx_dest;
  std::array<sockaddr_storage, kBatch> tx_addrs;
  std::array<socklen_t, kBatch> tx_addr_len;
  std::array<iovec, kBatch> tx_iov;
  size_t tx_count = 0;
  std::array<mmsghdr, kBatch> tx_msgs;
  std::array<uint8_t, kBatch> tx_group_size;
  struct alignas(cmsghdr) Control {
    uint8_t bytes[CMSG_SPACE(sizeof(uint16_t))];
  };
  std::array<Control, kBatch> tx_control;
  // Behind a full batch while blocked (its storage is allocated the first
  // time the socket blocks).
  net::DatagramQueue backlog{kMaxBacklog};

  Counter* send_drops;

  Impl(EventLoop& l, Counter* drops) : loop(l), send_drops(drops) {}

  void on_events(uint32_t events) override {
    if (events & EPOLLOUT) on_writable();
    // A bounded drain that stopped early: no new edge will come for what
    // is left, so the loop calls again next turn.
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && fd >= 0 && !drain()) loop.resume_next_turn(loop_key);
  }
  // Reads up to a bounded number of batches; false if the socket may still
  // hold datagrams.
  bool drain();
  void on_writable();
  void watch_writable(bool on) { loop.modify(loop_key, fd, interest(on)); }

  void queue(std::span<const uint8_t> datagram, const net::SocketAddress& to);
  void flush();
  // One pass over the batch; stops early only when blocked.
  void send_batch();
  size_t group_from(size_t start, std::array<size_t, kBatch>& first);
  // Keeps datagrams [from, tx_count) as the new batch.
  void keep_from(size_t from);
  void refill();
};

TurnUdpSocket::TurnUdpSocket(EventLoop& loop, const net::SocketAddress& bind_address, Counter* send_drops)
    : impl_(std::make_unique<Impl>(loop, send_drops)) {
  int fd = net::open_bound_udp_socket(bind_address);
  impl_->fd = fd;
  for (size_t i = 0; i < kBatch; ++i) {
    auto* cmsg = reinterpret_cast<cmsghdr*>(impl_->tx_control[i].bytes);
    cmsg->cmsg_level = SOL_UDP;
    cmsg->cmsg_type = UDP_SEGMENT;
    cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  }
}

TurnUdpSocket::~TurnUdpSocket() { close(); }

void TurnUdpSocket::start(ReceiveHandler handler) {
  auto& s = *impl_;
  if (s.fd < 0 || s.registered) return;
  s.handler = std::move(handler);
  s.loop_key = s.loop.add(s.fd, s, interest(s.blocked));
  s.registered = true;
}

void TurnUdpSocket::close() {
  auto& s = *impl_;
  if (s.fd < 0) return;
  s.flush();
  // Still blocked: the kernel has no room and closing cannot wait.
  if (s.blocked) s.stats.send_errors += s.tx_count + s.backlog.size();
  s.tx_count = 0;
  s.backlog.clear();
  if (s.dirty) s.loop.forget_dirty(*this);
  s.dirty = false;
  if (s.registered) s.loop.remove(s.loop_key, s.fd);
  s.registered = false;
  ::close(s.fd);
  s.fd = -1;
}

bool TurnUdpSocket::Impl::drain() {
  auto& s = *this;
  auto& b = receive_batch();
  for (int round = 0; round < kDrainRounds; ++round) {
    for (auto& m : b.msgs) m.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    int n = ::recvmmsg(s.fd, b.msgs.data(), unsigned(kBatch), MSG_DONTWAIT, nullptr);
    ++s.stats.receive_syscalls;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EBADF) return true;
      continue;  // EINTR, or a pending socket error reported once
    }
    if (n == 0) return true;
    for (int i = 0; i < n; ++i) {
      auto& m = b.msgs[size_t(i)];
      if (m.msg_hdr.msg_flags & MSG_TRUNC) continue;  // larger than anything we relay
      const int family = b.addrs[size_t(i)].ss_family;
      if (family != AF_INET && family != AF_INET6) continue;
      ++s.stats.received_packets;
      s.handler(std::span<uint8_t>(b.buffers[size_t(i)].data(), m.msg_len), source_of(b.addrs[size_t(i)]));
    }
    // Fewer than asked for: the queue was empty at that moment, and any
    // datagram arriving later raises a new edge.
    if (size_t(n) < kBatch) return true;
  }
  return false;
}

void TurnUdpSocket::send(std::span<const uint8_t> datagram, const net::SocketAddress& to) {
  auto& s = *impl_;
  if (s.fd < 0 || datagram.size() > kMaxDatagram) {
    ++s.stats.send_errors;
    return;
  }
  if (s.tx_count == kBatch && !s.blocked) s.flush();
  // Behind others already waiting, to keep the order.
  if (s.tx_count == kBatch || !s.backlog.empty()) {
    if (!s.backlog.push(datagram, to)) {
      ++s.stats.backlog_drops;
      if (s.send_drops) s.send_drops->add();
    }
    return;
  }
  s.queue(datagram, to);
  if (!s.dirty && !s.blocked) s.loop.mark_dirty(*this);
}

void TurnUdpSocket::flush() { impl_->flush(); }

void TurnUdpSocket::Impl::on_writable() {
  if (!blocked) return;
  blocked = false;
  flush();
  if (!blocked && registered) watch_writable(false);
}

void TurnUdpSocket::Impl::queue(std::span<const uint8_t> datagram, const net::SocketAddress& to) {
  size_t i = tx_count++;
  std::memcpy(tx_buffers[i].data(), datagram.data(), datagram.size());
  tx_iov[i] = {tx_buffers[i].data(), datagram.size()};
  if (i > 0 && tx_dest[i - 1] == to) {
    tx_addrs[i] = tx_addrs[i - 1];
    tx_addr_len[i] = tx_addr_len[i - 1];
  } else {
    tx_addr_len[i] = to.to_sockaddr(tx_addrs[i]);
  }
  tx_dest[i] = to;
}

void TurnUdpSocket::Impl::flush() {
  if (fd < 0) {
    tx_count = 0;
    backlog.clear();
    return;
  }
  while (!blocked && tx_count > 0) {
    send_batch();
    refill();
  }
}

void TurnUdpSocket::Impl::refill() {
  while (tx_count < kBatch && !backlog.empty()) {
    const auto front = backlog.at(0);
    queue(front.bytes, front.to);
    backlog.pop();
  }
}

void TurnUdpSocket::Impl::keep_from(size_t from) {
  const size_t kept = tx_count - from;
  for (size_t k = 0; k < kept; ++k) {
    const size_t old = from + k;
    std::memcpy(tx_buffers[k].data(), tx_buffers[old].data(), tx_iov[old].iov_len);
    tx_iov[k] = {tx_buffers[k].data(), tx_iov[old].iov_len};
    tx_dest[k] = tx_dest[old];
    tx_addrs[k] = tx_addrs[old];
    tx_addr_len[k] = tx_addr_len[old];
  }
  tx_count = kept;
}

// Groups runs to one address from `start`: every datagram but the last of a
// run the same size, the last no larger (the shape UDP_SEGMENT splits back).
size_t TurnUdpSocket::Impl::group_from(size_t start, std::array<size_t, kBatch>& first) {
  size_t groups = 0;
  for (size_t i = start; i < tx_count;) {
    const size_t segment = tx_iov[i].iov_len;
    size_t j = i + 1;
    if (gso && segment <= gso_max_segment) {
      while (j < tx_count && j - i < kMaxSegments && tx_iov[j - 1].iov_len == segment &&
             tx_iov[j].iov_len <= segment && tx_dest[j] == tx_dest[i])
        ++j;
    }
    auto& h = tx_msgs[groups].msg_hdr;
    h.msg_name = &tx_addrs[i];
    h.msg_namelen = tx_addr_len[i];
    h.msg_iov = &tx_iov[i];
    h.msg_iovlen = j - i;
    h.msg_flags = 0;
    if (j - i > 1) {
      auto* cmsg = reinterpret_cast<cmsghdr*>(tx_control[groups].bytes);
      uint16_t size = uint16_t(segment);
      std::memcpy(CMSG_DATA(cmsg), &size, sizeof(size));
      h.msg_control = cmsg;
      h.msg_controllen = sizeof(Control::bytes);
    } else {
      h.msg_control = nullptr;
      h.msg_controllen = 0;
    }
    tx_group_size[groups] = uint8_t(j - i);
    first[groups] = i;
    ++groups;
    i = j;
  }
  return groups;
}

void TurnUdpSocket::Impl::send_batch() {
  std::array<size_t, kBatch> first;
  size_t start = 0;
  while (start < tx_count) {
    const size_t groups = group_from(start, first);
    start = tx_count;
    size_t done = 0;
    while (done < groups) {
      int n = ::sendmmsg(fd, tx_msgs.data() + done, unsigned(groups - done), MSG_DONTWAIT);
      ++stats.send_syscalls;
      if (n < 0) {
        const int error = errno;
        if (error == EINTR) continue;
        if (error == EAGAIN || error == EWOULDBLOCK) {
          // Send buffer full (a partial sendmmsg reports it on the next
          // call): keep the rest, in order, until the socket is writable.
          keep_from(first[done]);
          blocked = true;
          ++stats.blocked_sends;
          if (registered) watch_writable(true);
          return;
        }
        const size_t count = tx_group_size[done];
        if (count > 1 && gso_refused(error)) {
          // EINVAL: this segment size does not fit the path; others: no GSO
          // here. Regroup the rest without it.
          if (error == EINVAL)
            gso_max_segment = tx_iov[first[done]].iov_len - 1;
          else
            gso = false;
          start = first[done];
          break;
        }
        // An error for this destination alone: drop it and carry on.
        stats.send_errors += count;
        ++done;
        continue;
      }
      for (int k = 0; k < n; ++k) {
        const size_t count = tx_group_size[done + size_t(k)];
        stats.sent_packets += count;
        if (count > 1) ++stats.gso_sends;
      }
      done += size_t(n);
    }
  }
  tx_count = 0;
}

net::SocketAddress TurnUdpSocket::local_address() const {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (::getsockname(impl_->fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return net::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss)).value_or(net::SocketAddress{});
}

const TurnUdpSocket::Stats& TurnUdpSocket::stats() const { return impl_->stats; }

bool TurnUdpSocket::dirty() const { return impl_->dirty; }
void TurnUdpSocket::set_dirty(bool dirty) { impl_->dirty = dirty; }

}  // namespace ct::turn
