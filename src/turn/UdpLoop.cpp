#include "turn/UdpLoop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <optional>
#include <system_error>
#include <vector>

#include "turn/TurnUdpSocket.hpp"

namespace ct::turn {

namespace asio = boost::asio;

namespace {

constexpr int kMaxEvents = 64;

uint32_t interest(bool writable) { return EPOLLIN | EPOLLET | (writable ? uint32_t(EPOLLOUT) : 0u); }

}  // namespace

struct UdpLoop::Impl {
  asio::io_context& io;
  int epoll_fd = -1;
  // Asio's view of our epoll set (it owns and closes the descriptor). Asio
  // registers it once, edge-triggered: each new ready socket in our set is
  // a new edge for Asio, and a wait costs no epoll_ctl.
  std::optional<asio::posix::stream_descriptor> watcher;
  struct Slot {
    TurnUdpSocket* socket = nullptr;
    uint32_t generation = 0;
  };
  std::vector<Slot> slots;
  std::vector<uint32_t> free_slots;
  std::vector<TurnUdpSocket*> dirty;
  // Sockets whose bounded drain stopped early: they raise no new edge, so a
  // posted turn comes back for them after Asio's other handlers had a go.
  std::vector<uint64_t> unfinished, unfinished_now;
  bool in_turn = false;
  bool flush_posted = false;
  bool turn_posted = false;
  Stats stats;

  explicit Impl(asio::io_context& io_context) : io(io_context) {}

  TurnUdpSocket* socket_of(uint64_t key) const {
    const uint32_t index = uint32_t(key);
    const uint32_t generation = uint32_t(key >> 32);
    // A socket closed earlier in this wake-up may still have an event queued.
    if (index >= slots.size() || slots[index].generation != generation) return nullptr;
    return slots[index].socket;
  }

  void drain(uint64_t key) {
    if (auto* socket = socket_of(key); socket && !socket->drain()) unfinished.push_back(key);
  }

  void flush_dirty() {
    for (size_t i = 0; i < dirty.size(); ++i) {
      dirty[i]->set_dirty(false);
      dirty[i]->flush();
    }
    dirty.clear();
  }

  void arm() {
    watcher->async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
      if (ec) return;  // closed with the loop
      // Re-armed before the turn's handlers run: an edge raised during the
      // turn then wakes Asio again instead of being lost.
      arm();
      turn();
    });
  }

  void post_turn() {
    if (turn_posted) return;
    turn_posted = true;
    ++stats.continued_turns;
    asio::post(io, [this] {
      turn_posted = false;
      turn();
    });
  }

  // Drains every ready socket (edge-triggered: each until it would block or
  // its bounded drain ends), then sends what they queued.
  void turn() {
    std::array<epoll_event, kMaxEvents> events;
    in_turn = true;
    unfinished_now.swap(unfinished);
    for (uint64_t key : unfinished_now) drain(key);
    unfinished_now.clear();
    const int n = ::epoll_wait(epoll_fd, events.data(), kMaxEvents, 0);
    if (n > 0)
      ++stats.wakeups;
    else
      ++stats.idle_turns;
    for (int i = 0; i < n; ++i) {
      const auto& event = events[size_t(i)];
      if (event.events & EPOLLOUT) {
        if (auto* socket = socket_of(event.data.u64)) socket->on_writable();
      }
      if (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) drain(event.data.u64);
    }
    flush_dirty();
    in_turn = false;
    // A full event array may have left ready sockets behind, which raise no
    // new edge either.
    if (!unfinished.empty() || n == kMaxEvents) post_turn();
  }
};

UdpLoop::UdpLoop(asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {
  impl_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (impl_->epoll_fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  try {
    impl_->watcher.emplace(io, impl_->epoll_fd);
  } catch (...) {
    ::close(impl_->epoll_fd);
    throw;
  }
  impl_->arm();
}

UdpLoop::~UdpLoop() {
  boost::system::error_code ignored;
  impl_->watcher->close(ignored);  // closes the epoll set
}

void UdpLoop::run() { impl_->io.run(); }

const UdpLoop::Stats& UdpLoop::stats() const { return impl_->stats; }

uint64_t UdpLoop::add(int fd, TurnUdpSocket& socket) {
  auto& s = *impl_;
  uint32_t index;
  if (!s.free_slots.empty()) {
    index = s.free_slots.back();
    s.free_slots.pop_back();
  } else {
    index = uint32_t(s.slots.size());
    s.slots.emplace_back();
  }
  s.slots[index].socket = &socket;
  const uint64_t key = (uint64_t(s.slots[index].generation) << 32) | index;
  epoll_event ev{};
  ev.events = interest(false);
  ev.data.u64 = key;
  if (::epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int err = errno;
    s.slots[index].socket = nullptr;
    s.free_slots.push_back(index);
    throw std::system_error(err, std::generic_category(), "epoll_ctl add");
  }
  return key;
}

void UdpLoop::remove(uint64_t key, int fd) {
  auto& s = *impl_;
  ::epoll_ctl(s.epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  const uint32_t index = uint32_t(key);
  if (index >= s.slots.size()) return;
  s.slots[index].socket = nullptr;
  ++s.slots[index].generation;  // events still queued for the old key are ignored
  s.free_slots.push_back(index);
}

void UdpLoop::watch_writable(uint64_t key, int fd, bool on) {
  epoll_event ev{};
  ev.events = interest(on);
  ev.data.u64 = key;
  // EPOLL_CTL_MOD re-checks readiness: a socket that is writable again (or
  // readable) by now reports it at once.
  ::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_MOD, fd, &ev);
}

void UdpLoop::mark_dirty(TurnUdpSocket& socket) {
  auto& s = *impl_;
  socket.set_dirty(true);
  s.dirty.push_back(&socket);
  // Outside a UDP turn (a TCP/TLS client's data, a timer) Asio runs the
  // flush once the current handler is done.
  if (!s.in_turn && !s.flush_posted) {
    s.flush_posted = true;
    asio::post(s.io, [&s] {
      s.flush_posted = false;
      s.flush_dirty();
    });
  }
}

void UdpLoop::forget_dirty(TurnUdpSocket& socket) { std::erase(impl_->dirty, &socket); }

}  // namespace ct::turn
