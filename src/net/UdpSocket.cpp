#include "net/UdpSocket.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <utility>

#include "net/AsioUdpWatcher.hpp"
#include "net/BoundUdpSocket.hpp"
#include "net/DatagramQueue.hpp"
#include "net/EventLoopUdpWatcher.hpp"
#include "net/ReceiveClock.hpp"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h, Linux 4.18
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

namespace ct::net {

namespace {

// Bounded so one flooded socket cannot starve the others (or timers): 8 * 32
// datagrams, then the loop comes back to it after serving the rest.
constexpr int kDrainRounds = 8;
// Within the kernel's limit (UDP_MAX_SEGMENTS, 64 or more) and one batch.
constexpr size_t kMaxSegments = UdpSocket::kBatch;

// Room for the one control message a receive asks for: SCM_TIMESTAMPNS.
struct alignas(cmsghdr) ReceiveControl {
  uint8_t bytes[CMSG_SPACE(sizeof(timespec))];
};

// Receive buffers shared by every socket of the thread: one socket drains at
// a time and handlers do not keep the datagram.
struct ReceiveBatch {
  std::array<std::array<uint8_t, UdpSocket::kMaxDatagram>, UdpSocket::kBatch> buffers;
  std::array<sockaddr_storage, UdpSocket::kBatch> addrs;
  std::array<iovec, UdpSocket::kBatch> iov;
  std::array<ReceiveControl, UdpSocket::kBatch> control;
  std::array<mmsghdr, UdpSocket::kBatch> msgs;
  bool in_use = false;

  ReceiveBatch() {
    for (size_t i = 0; i < UdpSocket::kBatch; ++i) {
      iov[i] = {buffers[i].data(), UdpSocket::kMaxDatagram};
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
SocketAddress source_of(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    std::array<uint8_t, 4> ip;
    std::memcpy(ip.data(), &in.sin_addr, 4);
    return SocketAddress::v4(ip, ntohs(in.sin_port));
  }
  auto parsed = SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss));
  return parsed ? parsed->unmapped() : SocketAddress{};
}

// The kernel's receive time (CLOCK_REALTIME), if it stamped the datagram.
std::optional<int64_t> kernel_stamp(msghdr& h) {
  if (h.msg_controllen == 0 || (h.msg_flags & MSG_CTRUNC)) return std::nullopt;
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
        c->cmsg_len < CMSG_LEN(sizeof(timespec)))
      continue;
    timespec ts;
    std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
    if (ts.tv_sec == 0 && ts.tv_nsec == 0) return std::nullopt;
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  }
  return std::nullopt;
}

// Errors that mean this kernel, device or path cannot take a GSO send.
bool gso_refused(int error) {
  return error == EIO || error == EINVAL || error == ENOPROTOOPT || error == EOPNOTSUPP;
}

}  // namespace

struct UdpSocket::Impl {
  enum class Mode { Idle, Watched, Polled, Closed };

  int fd = -1;
  Mode mode = Mode::Idle;
  std::unique_ptr<Watcher> watcher;
  ReceiveHandler handler;
  // Instead of `handler`: datagrams with their arrival times.
  ArrivalHandler arrival_handler;
  bool kernel_stamps = false;  // SO_TIMESTAMPNS is on
  ReceiveClock receive_clock;
  std::function<void()> drop_observer;
  Stats stats;
  // The kernel refused a send for lack of buffer space: the rest waits for
  // on_writable() (a polled socket: for the next poll; before start(): for
  // start()).
  bool blocked = false;
  // UDP GSO: off once the kernel refuses it; segments above `gso_max_segment`
  // once the path refused one that size (segment plus headers over the MTU).
  bool gso = true;
  size_t gso_max_segment = kMaxDatagram;

  // Queued datagrams, and one sendmmsg entry per run of datagrams to one address.
  std::array<std::array<uint8_t, kMaxDatagram>, kBatch> tx_buffers;
  std::array<SocketAddress, kBatch> tx_dest;
  std::array<sockaddr_storage, kBatch> tx_addrs;
  std::array<socklen_t, kBatch> tx_addr_len;
  std::array<iovec, kBatch> tx_iov;
  size_t tx_count = 0;
  // The order the batch leaves in: the datagrams to one address together (in
  // the order they were queued), so a fan-out's copies to one subscriber (say
  // a frame's packets, or several publishers' packets in one turn) make one
  // GSO send. Positions index tx_order and tx_sent_iov; slots the rest.
  std::array<uint8_t, kBatch> tx_order;
  std::array<iovec, kBatch> tx_sent_iov;
  std::array<mmsghdr, kBatch> tx_msgs;
  std::array<uint8_t, kBatch> tx_group_size;
  struct alignas(cmsghdr) Control {
    uint8_t bytes[CMSG_SPACE(sizeof(uint16_t))];
  };
  std::array<Control, kBatch> tx_control;
  // Behind a batch the kernel refused, in order (its storage is allocated
  // the first time the socket blocks).
  DatagramQueue backlog{kMaxBacklog};

  explicit Impl(const SocketAddress& bind_address) : fd(open_bound_udp_socket(bind_address)) {
    for (auto& control : tx_control) {
      auto* cmsg = reinterpret_cast<cmsghdr*>(control.bytes);
      cmsg->cmsg_level = SOL_UDP;
      cmsg->cmsg_type = UDP_SEGMENT;
      cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    }
  }

  bool drain();
  void queue(std::span<const uint8_t> datagram, const SocketAddress& to);
  void wait_in_backlog(std::span<const uint8_t> datagram, const SocketAddress& to);
  void flush();
  // One pass over the batch; stops early only when blocked.
  void send_batch();
  // Fills tx_order and tx_sent_iov: grouped by destination when GSO is on,
  // else as queued.
  void order_by_destination();
  size_t group_from(size_t start, std::array<size_t, kBatch>& first);
  // Keeps the datagrams at positions [from, tx_count) of tx_order as the new
  // batch, in the order they were queued.
  void keep_from(size_t from);
  void refill();
  void block();
};

UdpSocket::UdpSocket(boost::asio::io_context& io, const SocketAddress& bind_address)
    : impl_(std::make_unique<Impl>(bind_address)) {
  impl_->watcher = std::make_unique<AsioUdpWatcher>(io, *this, impl_->fd, bind_address.is_v4());
}

UdpSocket::UdpSocket(EventLoop& loop, const SocketAddress& bind_address)
    : impl_(std::make_unique<Impl>(bind_address)) {
  impl_->watcher = std::make_unique<EventLoopUdpWatcher>(loop, *this, impl_->fd);
}

UdpSocket::~UdpSocket() { close(); }

void UdpSocket::start(ReceiveHandler handler) {
  auto& s = *impl_;
  if (s.mode != Impl::Mode::Idle) return;
  s.handler = std::move(handler);
  s.mode = Impl::Mode::Watched;
  s.watcher->watch_readable();
  if (s.blocked) s.watcher->watch_writable(true);
}

void UdpSocket::start(ArrivalHandler handler) {
  auto& s = *impl_;
  if (s.mode != Impl::Mode::Idle) return;
  // Without it (an old kernel), arrivals are the times batches are read.
  const int on = 1;
  s.kernel_stamps = ::setsockopt(s.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == 0;
  s.arrival_handler = std::move(handler);
  s.mode = Impl::Mode::Watched;
  s.watcher->watch_readable();
  if (s.blocked) s.watcher->watch_writable(true);
}

void UdpSocket::start_polled(ReceiveHandler handler) {
  auto& s = *impl_;
  if (s.mode != Impl::Mode::Idle) return;
  s.handler = std::move(handler);
  s.mode = Impl::Mode::Polled;
}

void UdpSocket::poll() {
  auto& s = *impl_;
  if (s.mode != Impl::Mode::Polled) return;
  on_writable();
  s.drain();
  s.flush();
}

void UdpSocket::close() {
  auto& s = *impl_;
  if (s.mode == Impl::Mode::Closed) return;
  s.mode = Impl::Mode::Closed;  // no more watching, even if the last flush blocks
  s.blocked = false;            // one last try
  s.flush();
  // Still blocked: the kernel has no room and closing cannot wait.
  s.stats.send_errors += s.tx_count + s.backlog.size();
  s.tx_count = 0;
  s.backlog.clear();
  s.watcher->stop();
  ::close(s.fd);
  s.fd = -1;
}

bool UdpSocket::on_readable() { return impl_->drain(); }

void UdpSocket::on_writable() {
  auto& s = *impl_;
  if (!s.blocked) return;
  s.blocked = false;
  s.flush();
  if (!s.blocked && s.mode == Impl::Mode::Watched) s.watcher->watch_writable(false);
}

bool UdpSocket::Impl::drain() {
  auto& b = receive_batch();
  // A handler draining another socket of the thread would overwrite the
  // datagrams being handled: that one waits for the next turn.
  if (b.in_use) return false;
  struct InUse {
    ReceiveBatch& batch;
    explicit InUse(ReceiveBatch& b) : batch(b) { batch.in_use = true; }
    ~InUse() { batch.in_use = false; }  // also when a handler throws
  } in_use(b);
  bool finished = false;
  for (int round = 0; round < kDrainRounds && fd >= 0; ++round) {
    for (size_t i = 0; i < kBatch; ++i) {
      auto& h = b.msgs[i].msg_hdr;
      h.msg_namelen = sizeof(sockaddr_storage);
      // The buffers are the thread's: another socket may have left these set.
      h.msg_control = kernel_stamps ? b.control[i].bytes : nullptr;
      h.msg_controllen = kernel_stamps ? sizeof(ReceiveControl::bytes) : 0;
    }
    const int n = ::recvmmsg(fd, b.msgs.data(), unsigned(kBatch), MSG_DONTWAIT, nullptr);
    ++stats.receive_syscalls;
    if (n > 0 && arrival_handler) receive_clock.sample();
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EBADF) {
        finished = true;
        break;
      }
      continue;  // EINTR, or a pending socket error (an ICMP unreachable) reported once
    }
    for (int i = 0; i < n && fd >= 0; ++i) {
      auto& m = b.msgs[size_t(i)];
      if (m.msg_hdr.msg_flags & MSG_TRUNC) continue;  // larger than anything we relay or forward
      const int family = b.addrs[size_t(i)].ss_family;
      if (family != AF_INET && family != AF_INET6) continue;
      ++stats.received_packets;
      stats.received_bytes += m.msg_len;
      const std::span<uint8_t> datagram(b.buffers[size_t(i)].data(), m.msg_len);
      if (!arrival_handler) {
        handler(datagram, source_of(b.addrs[size_t(i)]));
        continue;
      }
      const auto stamp = kernel_stamps ? kernel_stamp(m.msg_hdr) : std::nullopt;
      if (stamp) ++stats.stamped_packets;
      arrival_handler(datagram, source_of(b.addrs[size_t(i)]), receive_clock.arrival(stamp));
    }
    // Fewer than asked for: the queue was empty at that moment, and any
    // datagram arriving later raises a new edge.
    if (size_t(n) < kBatch) {
      finished = true;
      break;
    }
  }
  return finished || fd < 0;
}

void UdpSocket::send(std::span<const uint8_t> datagram, const SocketAddress& to) {
  auto& s = *impl_;
  if (s.fd < 0 || datagram.size() > kMaxDatagram) {
    ++s.stats.send_errors;
    return;
  }
  if (s.tx_count == kBatch && !s.blocked) s.flush();
  // Behind others already waiting, to keep the order.
  if (s.tx_count == kBatch || !s.backlog.empty()) return s.wait_in_backlog(datagram, to);
  if (s.tx_count == 0 && !s.blocked) s.watcher->flush_soon();
  s.queue(datagram, to);
}

void UdpSocket::flush() { impl_->flush(); }

void UdpSocket::on_backlog_drop(std::function<void()> observer) {
  impl_->drop_observer = std::move(observer);
}

void UdpSocket::Impl::wait_in_backlog(std::span<const uint8_t> datagram, const SocketAddress& to) {
  if (backlog.push(datagram, to)) return;
  ++stats.backlog_drops;
  if (drop_observer) drop_observer();
}

void UdpSocket::Impl::queue(std::span<const uint8_t> datagram, const SocketAddress& to) {
  const size_t i = tx_count++;
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

void UdpSocket::Impl::flush() {
  if (fd < 0) return;
  while (!blocked && tx_count > 0) {
    send_batch();
    refill();
  }
}

void UdpSocket::Impl::refill() {
  while (tx_count < kBatch && !backlog.empty()) {
    const auto front = backlog.at(0);
    queue(front.bytes, front.to);
    backlog.pop();
  }
}

void UdpSocket::Impl::keep_from(size_t from) {
  std::array<bool, kBatch> kept{};
  for (size_t p = from; p < tx_count; ++p) kept[tx_order[p]] = true;
  // Compacting in slot order moves every slot down or not at all, and keeps
  // each destination's datagrams in the order they were queued.
  size_t count = 0;
  for (size_t old = 0; old < tx_count; ++old) {
    if (!kept[old]) continue;
    if (old != count) {
      std::memcpy(tx_buffers[count].data(), tx_buffers[old].data(), tx_iov[old].iov_len);
      tx_dest[count] = tx_dest[old];
      tx_addrs[count] = tx_addrs[old];
      tx_addr_len[count] = tx_addr_len[old];
    }
    tx_iov[count] = {tx_buffers[count].data(), tx_iov[old].iov_len};
    ++count;
  }
  tx_count = count;
}

void UdpSocket::Impl::block() {
  blocked = true;
  ++stats.blocked_sends;
  if (mode == Mode::Watched) watcher->watch_writable(true);
}

void UdpSocket::Impl::order_by_destination() {
  std::array<bool, kBatch> placed{};
  size_t p = 0;
  for (size_t i = 0; i < tx_count; ++i) {
    if (placed[i]) continue;
    tx_order[p++] = uint8_t(i);
    if (!gso) continue;
    const SocketAddress& to = tx_dest[i];
    for (size_t j = i + 1; j < tx_count; ++j) {
      if (placed[j] || tx_dest[j].port() != to.port() || !(tx_dest[j] == to)) continue;
      placed[j] = true;
      tx_order[p++] = uint8_t(j);
    }
  }
  for (p = 0; p < tx_count; ++p) tx_sent_iov[p] = tx_iov[tx_order[p]];
}

// Groups runs to one address from position `start`: every datagram but the
// last of a run the same size, the last no larger (the shape UDP_SEGMENT
// splits back).
size_t UdpSocket::Impl::group_from(size_t start, std::array<size_t, kBatch>& first) {
  size_t groups = 0;
  for (size_t p = start; p < tx_count;) {
    const size_t i = tx_order[p];
    const size_t segment = tx_sent_iov[p].iov_len;
    size_t q = p + 1;
    if (gso && segment <= gso_max_segment) {
      while (q < tx_count && q - p < kMaxSegments && tx_sent_iov[q - 1].iov_len == segment &&
             tx_sent_iov[q].iov_len <= segment && tx_dest[tx_order[q]] == tx_dest[i])
        ++q;
    }
    auto& h = tx_msgs[groups].msg_hdr;
    h.msg_name = &tx_addrs[i];
    h.msg_namelen = tx_addr_len[i];
    h.msg_iov = &tx_sent_iov[p];
    h.msg_iovlen = q - p;
    h.msg_flags = 0;
    if (q - p > 1) {
      auto* cmsg = reinterpret_cast<cmsghdr*>(tx_control[groups].bytes);
      const uint16_t size = uint16_t(segment);
      std::memcpy(CMSG_DATA(cmsg), &size, sizeof(size));
      h.msg_control = cmsg;
      h.msg_controllen = sizeof(Control::bytes);
    } else {
      h.msg_control = nullptr;
      h.msg_controllen = 0;
    }
    tx_group_size[groups] = uint8_t(q - p);
    first[groups] = p;
    ++groups;
    p = q;
  }
  return groups;
}

void UdpSocket::Impl::send_batch() {
  std::array<size_t, kBatch> first;
  order_by_destination();
  size_t start = 0;
  while (start < tx_count) {
    const size_t groups = group_from(start, first);
    start = tx_count;
    size_t done = 0;
    while (done < groups) {
      const int n = ::sendmmsg(fd, tx_msgs.data() + done, unsigned(groups - done), MSG_DONTWAIT);
      ++stats.send_syscalls;
      if (n < 0) {
        const int error = errno;
        if (error == EINTR) continue;
        if (error == EAGAIN || error == EWOULDBLOCK) {
          // Send buffer full (a partial sendmmsg reports it on the next
          // call): keep the rest, in order, until the socket is writable.
          keep_from(first[done]);
          block();
          return;
        }
        const size_t count = tx_group_size[done];
        if (count > 1 && gso_refused(error)) {
          // EINVAL: this segment size does not fit the path; others: no GSO
          // here. Regroup the rest without it.
          if (error == EINVAL)
            gso_max_segment = tx_sent_iov[first[done]].iov_len - 1;
          else
            gso = false;
          start = first[done];
          break;
        }
        // An error for this destination alone (no route, say): drop it and
        // carry on. Media tolerates loss; stalls it does not.
        stats.send_errors += count;
        ++done;
        continue;
      }
      for (int k = 0; k < n; ++k) {
        const size_t count = tx_group_size[done + size_t(k)];
        stats.sent_packets += count;
        stats.sent_bytes += tx_msgs[done + size_t(k)].msg_len;
        if (count > 1) ++stats.gso_sends;
      }
      done += size_t(n);
    }
  }
  tx_count = 0;
}

SocketAddress UdpSocket::local_address() const {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (::getsockname(impl_->fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss)).value_or(SocketAddress{});
}

const UdpSocket::Stats& UdpSocket::stats() const { return impl_->stats; }

}  // namespace ct::net
