// What the kernel charges the sender for a fan-out's datagrams on loopback:
// R packets, each copied to D addresses (a media worker's turn), sent
// through net::UdpSocket (one sendmmsg, the batch grouped by destination, so
// each address's R equal-size copies leave as one UDP GSO send) against the
// same datagrams as one sendmmsg message each, in the order a fan-out queues
// them (the shape of every send before the grouping). Receivers are drained
// by another thread, whose time is not counted (CPU time is the benchmark
// thread's).
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstring>
#include <thread>
#include <vector>

#include "net/EventLoop.hpp"
#include "net/UdpSocket.hpp"

using namespace ct::net;

namespace {

constexpr size_t kPayload = 1130;  // an SRTP video packet (1100-byte payload)

// D bound sockets on 127.0.0.1 and a thread that empties them.
class DrainedReceivers {
 public:
  explicit DrainedReceivers(size_t count) {
    for (size_t d = 0; d < count; ++d) {
      int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
      int size = 8 << 20;
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t len = sizeof(a);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
          ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("cannot bind a receiver");
      fds_.push_back(fd);
      addresses_.push_back(SocketAddress::v4({127, 0, 0, 1}, ntohs(a.sin_port)));
      sockaddrs_.push_back(a);
    }
    drain_ = std::thread([this] {
      static std::array<std::array<char, 1500>, 32> buffers;
      std::array<iovec, 32> iov;
      std::array<mmsghdr, 32> msgs{};
      for (size_t i = 0; i < 32; ++i) {
        iov[i] = {buffers[i].data(), buffers[i].size()};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      while (!stop_)
        for (int fd : fds_)
          while (::recvmmsg(fd, msgs.data(), 32, MSG_DONTWAIT, nullptr) > 0) {
          }
    });
  }
  ~DrainedReceivers() {
    stop_ = true;
    drain_.join();
    for (int fd : fds_) ::close(fd);
  }
  DrainedReceivers(const DrainedReceivers&) = delete;
  DrainedReceivers& operator=(const DrainedReceivers&) = delete;

  const std::vector<SocketAddress>& addresses() const { return addresses_; }
  const std::vector<sockaddr_in>& sockaddrs() const { return sockaddrs_; }

 private:
  std::vector<int> fds_;
  std::vector<SocketAddress> addresses_;
  std::vector<sockaddr_in> sockaddrs_;
  std::atomic<bool> stop_{false};
  std::thread drain_;
};

// net::UdpSocket as a media worker uses it: R packets' copies to D addresses
// queued packet by packet, then one flush.
void BM_FanOutGrouped(benchmark::State& state) {
  const size_t destinations = size_t(state.range(0));
  const size_t packets = size_t(state.range(1));
  DrainedReceivers receivers(destinations);
  EventLoop loop;
  UdpSocket socket(loop, SocketAddress::v4({127, 0, 0, 1}, 0));
  const std::vector<uint8_t> datagram(kPayload, 0x80);
  for (auto _ : state) {
    for (size_t p = 0; p < packets; ++p)
      for (const auto& to : receivers.addresses()) socket.send(datagram, to);
    socket.flush();
  }
  const auto& stats = socket.stats();
  state.counters["gso_sends_per_call"] = double(stats.gso_sends) / double(std::max<uint64_t>(stats.send_syscalls, 1));
  state.counters["errors"] = double(stats.send_errors + stats.backlog_drops);
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(destinations * packets));
}

// The same datagrams in the same order, one sendmmsg message each.
void BM_FanOutOneMessageEach(benchmark::State& state) {
  const size_t destinations = size_t(state.range(0));
  const size_t packets = size_t(state.range(1));
  DrainedReceivers receivers(destinations);
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  int size = 8 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  const size_t count = destinations * packets;
  std::vector<std::vector<uint8_t>> buffers(count, std::vector<uint8_t>(kPayload, 0x80));
  std::vector<iovec> iov(count);
  std::vector<mmsghdr> msgs(count);
  for (size_t i = 0; i < count; ++i) {
    iov[i] = {buffers[i].data(), kPayload};
    std::memset(&msgs[i], 0, sizeof(mmsghdr));
    auto& h = msgs[i].msg_hdr;
    h.msg_name = const_cast<sockaddr_in*>(&receivers.sockaddrs()[i % destinations]);
    h.msg_namelen = sizeof(sockaddr_in);
    h.msg_iov = &iov[i];
    h.msg_iovlen = 1;
  }
  uint64_t errors = 0;
  for (auto _ : state) {
    for (size_t sent = 0; sent < count;) {
      const int n = ::sendmmsg(fd, msgs.data() + sent, unsigned(count - sent), 0);
      if (n <= 0) {
        ++errors;
        break;
      }
      sent += size_t(n);
    }
  }
  ::close(fd);
  state.counters["errors"] = double(errors);
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(count));
}

// The receive path as a media port runs it: a batch of 32 datagrams (sent
// on loopback from a plain socket: the kernel's receive work, stamping
// included, is charged to this thread) read by one recvmmsg and handed over,
// without arrival times (arg 0) or with the kernel's receive stamps mapped
// onto the steady clock (arg 1).
void BM_ReceiveBatch(benchmark::State& state) {
  const bool stamped = state.range(0) != 0;
  boost::asio::io_context io;
  UdpSocket receiver(io, SocketAddress::v4({127, 0, 0, 1}, 0));
  uint64_t bytes = 0;
  ct::TimePoint last{};
  if (stamped)
    receiver.start([&](std::span<uint8_t> d, const SocketAddress&, ct::TimePoint arrival) {
      bytes += d.size();
      last = arrival;
    });
  else
    receiver.start([&](std::span<uint8_t> d, const SocketAddress&) { bytes += d.size(); });
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_storage to{};
  const socklen_t to_len = receiver.local_address().to_sockaddr(to);
  std::vector<uint8_t> payload(kPayload, 0x80);
  std::array<iovec, UdpSocket::kBatch> iov;
  std::array<mmsghdr, UdpSocket::kBatch> msgs{};
  for (size_t i = 0; i < UdpSocket::kBatch; ++i) {
    iov[i] = {payload.data(), kPayload};
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = to_len;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  for (auto _ : state) {
    ::sendmmsg(fd, msgs.data(), unsigned(UdpSocket::kBatch), 0);
    receiver.on_readable();
  }
  ::close(fd);
  benchmark::DoNotOptimize(last);
  const auto& stats = receiver.stats();
  state.counters["received_per_batch"] =
      double(stats.received_packets) / double(std::max<int64_t>(int64_t(state.iterations()), 1));
  state.counters["stamped_share"] =
      double(stats.stamped_packets) / double(std::max<uint64_t>(stats.received_packets, 1));
  state.SetItemsProcessed(int64_t(stats.received_packets));
  state.SetBytesProcessed(int64_t(bytes));
}

}  // namespace

// D addresses x R packets per turn, at most one batch (32 datagrams).
BENCHMARK(BM_FanOutGrouped)->Args({8, 4})->Args({16, 2})->Args({4, 8})->Args({32, 1});
BENCHMARK(BM_FanOutOneMessageEach)->Args({8, 4})->Args({16, 2})->Args({4, 8})->Args({32, 1});
BENCHMARK(BM_ReceiveBatch)->Arg(0)->Arg(1);
