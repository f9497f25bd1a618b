#include "net/EventLoop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <ctime>
#include <map>
#include <mutex>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ct::net {

namespace {

constexpr int kMaxEvents = 64;
// The eventfd's key: slot indexes never reach it.
constexpr uint64_t kWakeKey = ~uint64_t(0);
// A repeating timer whose callback is running has this deadline.
constexpr TimePoint kRunning = TimePoint::max();

}  // namespace

struct EventLoop::Impl {
  int epoll_fd = -1;
  int wake_fd = -1;
  std::atomic<bool> stopped{false};

  struct Slot {
    Handler* handler = nullptr;
    uint32_t generation = 0;
  };
  std::vector<Slot> slots;
  std::vector<uint32_t> free_slots;

  std::vector<Flushable*> to_flush;
  // Handlers whose bounded drain stopped early: they raise no new edge, so
  // the next turn comes back for them without blocking.
  std::vector<uint64_t> unfinished, unfinished_now;
  std::vector<std::function<void()>> deferred, deferred_now;

  std::mutex posted_mutex;
  std::vector<std::function<void()>> posted, posted_now;

  struct Timer {
    std::function<void()> callback;
    Duration period{0};  // zero: one-shot
  };
  std::map<std::pair<TimePoint, TimerId>, Timer> timers;
  std::unordered_map<TimerId, TimePoint> deadlines;
  TimerId next_timer = 1;
  Duration timer_slack{0};
  Duration batch_window{0};
  TimePoint last_wakeup{};
  bool batching = false;  // wake-ups come within the window: wait it out before each look

  Stats stats;

  Handler* handler_of(uint64_t key) const {
    const uint32_t index = uint32_t(key);
    const uint32_t generation = uint32_t(key >> 32);
    // A handler removed earlier in this turn may still have an event queued.
    if (index >= slots.size() || slots[index].generation != generation) return nullptr;
    return slots[index].handler;
  }

  void dispatch(uint64_t key, uint32_t events) {
    if (auto* handler = handler_of(key)) handler->on_events(events);
  }

  void flush_listed() {
    // Index loop: a flush may list another output (none does today, but the
    // list must not be invalidated under us).
    for (size_t i = 0; i < to_flush.size(); ++i) to_flush[i]->flush();
    to_flush.clear();
  }

  void take_wakeup() {
    uint64_t count;
    while (::read(wake_fd, &count, sizeof(count)) < 0 && errno == EINTR) {
    }
  }

  void wake() {
    const uint64_t one = 1;
    while (::write(wake_fd, &one, sizeof(one)) < 0 && errno == EINTR) {
    }
  }

  void run_posted() {
    {
      std::lock_guard lock(posted_mutex);
      posted_now.swap(posted);
    }
    for (auto& work : posted_now) work();
    posted_now.clear();
  }

  void run_deferred() {
    // Deferred work may defer more: it runs in this turn too.
    while (!deferred.empty()) {
      deferred_now.swap(deferred);
      for (auto& work : deferred_now) work();
      deferred_now.clear();
    }
  }

  TimerId add_timer(TimePoint deadline, Duration period, std::function<void()> callback) {
    const TimerId id = next_timer++;
    timers.emplace(std::make_pair(deadline, id), Timer{std::move(callback), period});
    deadlines.emplace(id, deadline);
    return id;
  }

  // Runs the timers due by `horizon` (now, or now plus the slack).
  void run_timers(TimePoint now, TimePoint horizon) {
    while (!timers.empty()) {
      auto it = timers.begin();
      const auto [deadline, id] = it->first;
      if (deadline > horizon) break;
      if (deadline > now) ++stats.early_timers;
      Timer timer = std::move(it->second);
      timers.erase(it);
      if (timer.period == Duration::zero()) {
        deadlines.erase(id);
        timer.callback();
        continue;
      }
      deadlines[id] = kRunning;
      timer.callback();
      auto d = deadlines.find(id);
      if (d == deadlines.end()) continue;  // cancelled itself
      // Keeps its rhythm, but a loop that fell behind does not fire a burst.
      TimePoint next = deadline + timer.period;
      if (next <= now) next = now + timer.period;
      d->second = next;
      timers.emplace(std::make_pair(next, id), std::move(timer));
    }
  }

  // Sleeps until the window since the last wake-up has passed (no longer
  // than the next timer's deadline): datagrams gather in the kernel meanwhile.
  void wait_out_batch_window() {
    TimePoint until = last_wakeup + batch_window;
    if (!timers.empty()) until = std::min(until, timers.begin()->first.first);
    if (until <= Clock::now()) return;
    ++stats.batched_waits;
    // Clock is steady_clock, CLOCK_MONOTONIC on Linux: sleep to the absolute deadline.
    const auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(until.time_since_epoch());
    timespec deadline{};
    deadline.tv_sec = time_t(since_epoch.count() / 1'000'000'000);
    deadline.tv_nsec = long(since_epoch.count() % 1'000'000'000);
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
    }
  }

  // epoll_wait's timeout: until the next deadline, rounded up so the loop
  // does not wake just before it.
  int timeout_ms() const {
    if (timers.empty()) return -1;
    const Duration left = timers.begin()->first.first - Clock::now();
    if (left <= Duration::zero()) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return ms > INT_MAX ? INT_MAX : int(ms);
  }

  void run() {
    std::array<epoll_event, kMaxEvents> events;
    bool full = false;
    while (!stopped.load(std::memory_order_relaxed)) {
      const bool continuing = full || !unfinished.empty();
      int timeout = continuing ? 0 : timeout_ms();
      const bool batched_look = !continuing && batching;
      if (batched_look) {
        wait_out_batch_window();
        timeout = 0;  // found nothing new: the next wait blocks
      }
      int n = ::epoll_wait(epoll_fd, events.data(), kMaxEvents, timeout);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::generic_category(), "epoll_wait");
      }
      if (n > 0 && batch_window > Duration::zero()) {
        const TimePoint now = Clock::now();
        // After a batched look that found work, traffic goes on: keep batching.
        batching = batched_look || now - last_wakeup < batch_window;
        last_wakeup = now;
      } else if (batched_look) {
        batching = false;
      }
      if (continuing) ++stats.continued_turns;
      if (n > 0) ++stats.wakeups;
      unfinished_now.swap(unfinished);
      for (uint64_t key : unfinished_now) dispatch(key, EPOLLIN);
      unfinished_now.clear();
      bool woken = false;
      for (int i = 0; i < n; ++i) {
        const auto& event = events[size_t(i)];
        if (event.data.u64 == kWakeKey) {
          woken = true;
          continue;
        }
        dispatch(event.data.u64, event.events);
      }
      if (woken) {
        take_wakeup();
        run_posted();
      }
      if (!timers.empty()) {
        const TimePoint now = Clock::now();
        run_timers(now, n > 0 ? now + timer_slack : now);
      }
      run_deferred();
      flush_listed();
      // A full event array may have left ready descriptors behind, which
      // raise no new edge either.
      full = n == kMaxEvents;
    }
  }
};

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (s.epoll_fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  s.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s.wake_fd < 0) {
    const int err = errno;
    ::close(s.epoll_fd);
    throw std::system_error(err, std::generic_category(), "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeKey;
  if (::epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.wake_fd, &ev) != 0) {
    const int err = errno;
    ::close(s.wake_fd);
    ::close(s.epoll_fd);
    throw std::system_error(err, std::generic_category(), "epoll_ctl add eventfd");
  }
}

EventLoop::~EventLoop() {
  auto& s = *impl_;
  // Destroying the work may destroy handlers that still call into the loop
  // (remove, cancel): take it out first, with the loop still whole.
  auto posted = std::move(s.posted);
  auto deferred = std::move(s.deferred);
  auto timers = std::move(s.timers);
  s.deadlines.clear();
  posted.clear();
  deferred.clear();
  timers.clear();
  ::close(s.wake_fd);
  ::close(s.epoll_fd);
}

void EventLoop::run() { impl_->run(); }

void EventLoop::stop() {
  impl_->stopped.store(true);
  impl_->wake();
}

void EventLoop::post(std::function<void()> work) {
  {
    std::lock_guard lock(impl_->posted_mutex);
    impl_->posted.push_back(std::move(work));
  }
  impl_->wake();
}

void EventLoop::defer(std::function<void()> work) { impl_->deferred.push_back(std::move(work)); }

EventLoop::TimerId EventLoop::call_after(Duration delay, std::function<void()> callback) {
  return impl_->add_timer(Clock::now() + delay, Duration::zero(), std::move(callback));
}

EventLoop::TimerId EventLoop::schedule_every(Duration period, std::function<void()> callback) {
  if (period <= Duration::zero()) period = std::chrono::milliseconds(1);
  return impl_->add_timer(Clock::now() + period, period, std::move(callback));
}

void EventLoop::set_timer_slack(Duration slack) { impl_->timer_slack = std::max(slack, Duration::zero()); }

void EventLoop::set_batch_window(Duration window) {
  impl_->batch_window = std::max(window, Duration::zero());
}

void EventLoop::cancel(TimerId timer) {
  auto& s = *impl_;
  auto d = s.deadlines.find(timer);
  if (d == s.deadlines.end()) return;
  if (d->second != kRunning) s.timers.erase(std::make_pair(d->second, timer));
  s.deadlines.erase(d);
}

uint64_t EventLoop::add(int fd, Handler& handler, uint32_t events) {
  auto& s = *impl_;
  uint32_t index;
  if (!s.free_slots.empty()) {
    index = s.free_slots.back();
    s.free_slots.pop_back();
  } else {
    index = uint32_t(s.slots.size());
    s.slots.emplace_back();
  }
  s.slots[index].handler = &handler;
  const uint64_t key = (uint64_t(s.slots[index].generation) << 32) | index;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  if (::epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    const int err = errno;
    s.slots[index].handler = nullptr;
    ++s.slots[index].generation;
    s.free_slots.push_back(index);
    throw std::system_error(err, std::generic_category(), "epoll_ctl add");
  }
  return key;
}

void EventLoop::modify(uint64_t key, int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  ::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::remove(uint64_t key, int fd) {
  auto& s = *impl_;
  ::epoll_ctl(s.epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  const uint32_t index = uint32_t(key);
  if (index >= s.slots.size() || s.slots[index].generation != uint32_t(key >> 32)) return;
  s.slots[index].handler = nullptr;
  ++s.slots[index].generation;  // events still queued for the old key are ignored
  s.free_slots.push_back(index);
}

void EventLoop::resume_next_turn(uint64_t key) { impl_->unfinished.push_back(key); }

void EventLoop::flush_after_turn(Flushable& output) { impl_->to_flush.push_back(&output); }

void EventLoop::cancel_flush(Flushable& output) { std::erase(impl_->to_flush, &output); }

const EventLoop::Stats& EventLoop::stats() const { return impl_->stats; }

}  // namespace ct::net
