#pragma once
// An event loop of one thread, one epoll set, one blocking epoll_wait per
// wake-up (the TURN server's and each media worker's). A relay moves each datagram with about one
// system call on each side, so the loop keeps the calls around them to a
// minimum:
//  - descriptors (UDP sockets, TCP/TLS listeners and connections) join the
//    set once, edge-triggered, and stay in it (no epoll_ctl per wake-up);
//  - timers need no descriptor: epoll_wait's timeout is the next deadline;
//  - one wake-up serves every ready descriptor, then flushes what was
//    batched during it (every UDP socket that queued datagrams, one
//    sendmmsg each).
// Everything but stop() and post() belongs to the loop's thread.
#include <cstdint>
#include <functional>
#include <memory>

#include "core/Clock.hpp"

namespace ct::net {

class EventLoop {
 public:
  // Something registered with the loop: called with the ready epoll events.
  class Handler {
   public:
    virtual void on_events(uint32_t epoll_events) = 0;

   protected:
    ~Handler() = default;
  };

  // Output batched during a turn (a UDP socket's queued datagrams).
  class Flushable {
   public:
    virtual void flush() = 0;

   protected:
    ~Flushable() = default;
  };

  struct Stats {
    uint64_t wakeups = 0;          // turns that found ready descriptors
    uint64_t continued_turns = 0;  // turns that did not block: work left unfinished, or a full event array
    uint64_t early_timers = 0;     // timers run early, within the slack, by a turn woken for something else
    uint64_t batched_waits = 0;    // waits for the batch window before looking again
  };

  using TimerId = uint64_t;

  // Throws std::system_error if the epoll set or the eventfd cannot be made.
  EventLoop();
  // Drops (without running) work still posted, deferred or scheduled.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Serves events, timers and posted work until stop().
  void run();
  // Any thread: run() returns after its current turn (at once if it is
  // not running yet; a stopped loop stays stopped).
  void stop();
  // Any thread: runs `work` on the loop's thread soon. For control work
  // only (it takes a lock and wakes the loop).
  void post(std::function<void()> work);
  // Loop thread: runs `work` once the current turn's handlers are done,
  // e.g. to report a closed connection to whoever may be calling it now.
  void defer(std::function<void()> work);

  // Loop thread: one-shot and repeating timers. cancel() of a timer that
  // has fired (one-shot) or was cancelled is a no-op; a repeating timer may
  // cancel itself from its own callback.
  TimerId call_after(Duration delay, std::function<void()> callback);
  TimerId schedule_every(Duration period, std::function<void()> callback);
  void cancel(TimerId timer);
  // Loop thread: a turn that something woke (a datagram, posted work) also
  // runs the timers due within `slack`; a repeating timer keeps its rhythm.
  // A media worker's 20 ms tick then mostly rides on the wake-ups that
  // packets cause instead of waking the thread itself. Zero (the default):
  // timers run only once due.
  void set_timer_slack(Duration slack);
  // Loop thread: a busy loop, woken again within `window` of its previous
  // wake-up, lets the next `window` pass (counted from that wake-up) before
  // it looks again, and serves whatever arrived meanwhile in one turn: fuller
  // recvmmsg/sendmmsg batches and fewer wake-ups, for at most `window` of
  // extra delay. A quiet loop, or one whose wait found nothing new, blocks as
  // usual, so a lone datagram is never delayed. Zero (the default): every
  // readiness wakes the loop at once.
  void set_batch_window(Duration window);

  // Registers `fd` for `events` (EPOLLIN, EPOLLOUT, EPOLLET...): returns the
  // key for modify() and remove(). Throws std::system_error.
  uint64_t add(int fd, Handler& handler, uint32_t events);
  // EPOLL_CTL_MOD: also re-checks readiness, so a descriptor that is
  // already ready reports it at once.
  void modify(uint64_t key, int fd, uint32_t events);
  // Leaves the set; events already fetched for the key in this turn are
  // skipped, so a handler may remove (and destroy) another.
  void remove(uint64_t key, int fd);
  // The handler stopped early (a bounded drain) and an edge-triggered
  // descriptor raises no new edge for what it left: the next turn calls it
  // again with EPOLLIN, without blocking.
  void resume_next_turn(uint64_t key);

  // Loop thread: calls `output.flush()` once this turn's handlers, posted
  // and deferred work and timers are done. List it once per turn (the
  // caller keeps track); cancel_flush() before it is destroyed.
  void flush_after_turn(Flushable& output);
  void cancel_flush(Flushable& output);

  const Stats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::net
