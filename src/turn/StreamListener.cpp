#include "turn/StreamListener.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "core/Log.hpp"
#include "net/EventLoop.hpp"

namespace ct::turn {

namespace {

constexpr int kBacklog = 1024;
// Out of descriptors (or memory): the waiting connection stays in the
// kernel's backlog and, edge-triggered, raises no new event, so the listener
// tries again after this pause instead of spinning.
constexpr auto kRetryAfterResourceError = std::chrono::milliseconds(100);

std::optional<net::SocketAddress> address_of(const sockaddr_storage& ss) {
  auto a = net::SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss));
  if (a) return a->unmapped();
  return std::nullopt;
}

}  // namespace

struct StreamListener::Impl final : net::EventLoop::Handler {
  net::EventLoop& loop;
  int fd = -1;
  uint64_t key = 0;
  bool registered = false;
  net::EventLoop::TimerId retry = 0;
  bool starved = false;  // out of descriptors (or memory) since the last accept
  Stats stats;
  AcceptHandler handler;

  explicit Impl(net::EventLoop& l) : loop(l) {}

  void on_events(uint32_t) override { accept_all(); }

  void accept_all() {
    while (fd >= 0) {
      sockaddr_storage remote{};
      socklen_t len = sizeof(remote);
      const int conn =
          ::accept4(fd, reinterpret_cast<sockaddr*>(&remote), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (conn < 0) {
        const int error = errno;
        if (error == EAGAIN || error == EWOULDBLOCK) return;
        if (error == EINTR || error == ECONNABORTED || error == EPROTO) continue;  // that one is gone; next
        if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
          // Level-triggered in effect: the waiting connections raise no new
          // edge, so a timer comes back for them once descriptors are free.
          if (!starved)
            spdlog::warn("turn: cannot accept TCP connections: {} (retrying every {} ms)",
                         std::generic_category().message(error), kRetryAfterResourceError.count());
          starved = true;
          ++stats.resource_retries;
          if (retry == 0)
            retry = loop.call_after(kRetryAfterResourceError, [this] {
              retry = 0;
              accept_all();
            });
          return;
        }
        spdlog::warn("turn: accept failed: {}", std::generic_category().message(error));
        return;
      }
      if (starved) spdlog::info("turn: accepting TCP connections again");
      starved = false;
      ++stats.accepted;
      const int on = 1;
      ::setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
      sockaddr_storage local{};
      socklen_t local_len = sizeof(local);
      auto client = address_of(remote);
      auto server = ::getsockname(conn, reinterpret_cast<sockaddr*>(&local), &local_len) == 0
                        ? address_of(local)
                        : std::nullopt;
      if (!client || !server) {
        ::close(conn);
        continue;
      }
      handler(conn, *client, *server);
    }
  }
};

StreamListener::StreamListener(net::EventLoop& loop, const net::SocketAddress& bind_address)
    : impl_(std::make_unique<Impl>(loop)) {
  auto fail = [&](const char* what) {
    const int error = errno;
    if (impl_->fd >= 0) ::close(impl_->fd);
    impl_->fd = -1;
    throw std::system_error(
        error, std::generic_category(),
        std::string(what) + " TCP " + bind_address.ip_string() + ":" + std::to_string(bind_address.port()));
  };
  sockaddr_storage ss{};
  const socklen_t len = bind_address.to_sockaddr(ss);
  impl_->fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (impl_->fd < 0) fail("cannot open");
  const int on = 1;
  ::setsockopt(impl_->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (::bind(impl_->fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) fail("cannot bind");
  if (::listen(impl_->fd, kBacklog) != 0) fail("cannot listen on");
}

StreamListener::~StreamListener() { close(); }

void StreamListener::start(AcceptHandler handler) {
  auto& s = *impl_;
  if (s.fd < 0 || s.registered) return;
  s.handler = std::move(handler);
  s.key = s.loop.add(s.fd, s, EPOLLIN | EPOLLET);
  // Connections already waiting are reported at once (EPOLL_CTL_ADD checks).
  s.registered = true;
}

void StreamListener::close() {
  auto& s = *impl_;
  if (s.fd < 0) return;
  if (s.retry != 0) s.loop.cancel(s.retry);
  s.retry = 0;
  if (s.registered) s.loop.remove(s.key, s.fd);
  s.registered = false;
  ::close(s.fd);
  s.fd = -1;
}

const StreamListener::Stats& StreamListener::stats() const { return impl_->stats; }

net::SocketAddress StreamListener::local_address() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (impl_->fd < 0 || ::getsockname(impl_->fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return net::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss)).value_or(net::SocketAddress{});
}

}  // namespace ct::turn
