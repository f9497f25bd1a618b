#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../../support/EventLoopThread.hpp"
#include "net/EventLoop.hpp"

namespace ct::net {
namespace {

using test::LoopThread;
using test::on_loop;
using test::wait_for;

using namespace std::chrono_literals;

// A pipe whose read end is registered with the loop.
struct Pipe {
  int read_fd = -1, write_fd = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
      read_fd = fds[0];
      write_fd = fds[1];
    }
  }
  ~Pipe() {
    ::close(read_fd);
    ::close(write_fd);
  }
  void poke() { ASSERT_EQ(::write(write_fd, "x", 1), 1); }
  void drain() {
    char buffer[64];
    while (::read(read_fd, buffer, sizeof(buffer)) > 0) {
    }
  }
};

struct CallbackHandler final : EventLoop::Handler {
  std::function<void(uint32_t)> callback;
  void on_events(uint32_t events) override { callback(events); }
};

TEST(EventLoop, PostFromAnotherThreadWakesABlockedLoopPromptly) {
  EventLoop loop;
  LoopThread thread(loop);
  std::this_thread::sleep_for(20ms);  // blocked in epoll_wait with no timeout
  for (int i = 1; i <= 5; ++i) {
    std::atomic<bool> ran{false};
    std::thread::id ran_on;
    const auto t0 = std::chrono::steady_clock::now();
    loop.post([&] {
      ran_on = std::this_thread::get_id();
      ran = true;
    });
    ASSERT_TRUE(wait_for([&] { return ran.load(); }));
    // Nothing else would wake the loop (no timers): a lost wake-up hangs.
    // The bound only leaves room for a loaded machine.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
    EXPECT_NE(ran_on, std::this_thread::get_id());
  }
}

TEST(EventLoop, StopFromAnotherThreadReturnsPromptly) {
  EventLoop loop;
  std::atomic<bool> returned{false};
  std::thread thread([&] {
    loop.run();
    returned = true;
  });
  std::this_thread::sleep_for(20ms);
  const auto t0 = std::chrono::steady_clock::now();
  loop.stop();
  EXPECT_TRUE(wait_for([&] { return returned.load(); }, 1000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  thread.join();
}

TEST(EventLoop, StopBeforeRunIsNotLost) {
  EventLoop loop;
  loop.stop();
  loop.run();  // returns at once
  SUCCEED();
}

TEST(EventLoop, TimersFireInDeadlineOrderAndRepeat) {
  EventLoop loop;
  std::vector<std::string> fired;
  std::atomic<int> ticks{0};
  std::atomic<bool> done{false};
  loop.post([&] {
    loop.call_after(30ms, [&] { fired.push_back("30"); });
    loop.call_after(10ms, [&] { fired.push_back("10"); });
    const auto cancelled = loop.call_after(20ms, [&] { fired.push_back("cancelled"); });
    loop.cancel(cancelled);
    loop.schedule_every(5ms, [&] { ++ticks; });
    loop.call_after(60ms, [&] { done = true; });
  });
  LoopThread thread(loop);
  ASSERT_TRUE(wait_for([&] { return done.load(); }));
  thread.stop();
  EXPECT_EQ(fired, (std::vector<std::string>{"10", "30"}));
  // About 12 in 60 ms; a loaded machine may fire fewer, never a burst.
  EXPECT_GE(ticks.load(), 2);
  EXPECT_LE(ticks.load(), 13);
}

// A tick 400 ms out, and something (posted work) wakes the loop at about
// 100 ms: with 350 ms of slack the tick runs in that turn, early, and keeps
// its rhythm (the next one is due at 800 ms, not 100 + 400); without slack
// it waits for its deadline.
struct SlackRun {
  std::chrono::steady_clock::duration first_tick{}, second_tick{};
  uint64_t early = 0;
};

SlackRun run_tick_with_slack(std::chrono::milliseconds slack) {
  EventLoop loop;
  loop.set_timer_slack(slack);
  std::vector<std::chrono::steady_clock::time_point> ticks;
  std::atomic<int> count{0};
  const auto start = std::chrono::steady_clock::now();
  loop.post([&] {
    loop.schedule_every(400ms, [&] {
      ticks.push_back(std::chrono::steady_clock::now());
      ++count;
    });
  });
  LoopThread thread(loop);
  std::this_thread::sleep_for(100ms);
  loop.post([] {});
  EXPECT_TRUE(wait_for([&] { return count.load() >= 2; }, 3000ms));
  SlackRun run;
  run.early = on_loop(loop, [&] { return loop.stats().early_timers; });
  thread.stop();
  run.first_tick = ticks.at(0) - start;
  run.second_tick = ticks.at(1) - start;
  return run;
}

TEST(EventLoop, TimerSlackRunsADueSoonTimerInATurnWokenForSomethingElse) {
  const auto run = run_tick_with_slack(350ms);
  EXPECT_LT(run.first_tick, 380ms);
  EXPECT_GE(run.early, 1u);
  EXPECT_GE(run.second_tick, 790ms);  // the rhythm of the deadlines, not of the early run
}

TEST(EventLoop, WithoutSlackATimerWaitsForItsDeadline) {
  const auto run = run_tick_with_slack(0ms);
  EXPECT_GE(run.first_tick, 400ms);
  EXPECT_EQ(run.early, 0u);
}

TEST(EventLoop, RepeatingTimerCanCancelItself) {
  EventLoop loop;
  std::atomic<int> ticks{0};
  EventLoop::TimerId id = 0;
  loop.post([&] {
    id = loop.schedule_every(2ms, [&] {
      if (++ticks == 3) loop.cancel(id);
    });
  });
  LoopThread thread(loop);
  std::this_thread::sleep_for(60ms);
  thread.stop();
  EXPECT_EQ(ticks.load(), 3);
}

TEST(EventLoop, DeferredWorkRunsAfterTheCurrentHandler) {
  EventLoop loop;
  Pipe pipe;
  std::vector<std::string> order;
  std::atomic<bool> done{false};
  CallbackHandler handler;
  handler.callback = [&](uint32_t) {
    pipe.drain();
    order.push_back("handler start");
    loop.defer([&] {
      order.push_back("deferred");
      loop.defer([&] {
        order.push_back("deferred again");
        done = true;
      });
    });
    order.push_back("handler end");
  };
  loop.add(pipe.read_fd, handler, EPOLLIN | EPOLLET);
  pipe.poke();
  LoopThread thread(loop);
  ASSERT_TRUE(wait_for([&] { return done.load(); }));
  thread.stop();
  EXPECT_EQ(order, (std::vector<std::string>{"handler start", "handler end", "deferred", "deferred again"}));
}

// Pokes a pipe at `times` (from the start); returns how many turns served it
// and the loop's count of batched waits.
struct BatchRun {
  int turns = 0;
  size_t bytes = 0;
  uint64_t batched_waits = 0;
  std::vector<std::chrono::steady_clock::duration> delays;  // poke to the turn that read it
};

BatchRun poke_with_window(std::chrono::milliseconds window,
                          const std::vector<std::chrono::milliseconds>& times) {
  EventLoop loop;
  loop.set_batch_window(window);
  Pipe pipe;
  std::atomic<int> turns{0};
  std::atomic<size_t> bytes{0};
  std::vector<std::chrono::steady_clock::time_point> poked(times.size()), served;
  CallbackHandler handler;
  handler.callback = [&](uint32_t) {
    ++turns;
    char buffer[64];
    ssize_t n;
    while ((n = ::read(pipe.read_fd, buffer, sizeof(buffer))) > 0) {
      for (ssize_t i = 0; i < n; ++i) served.push_back(std::chrono::steady_clock::now());
      bytes += size_t(n);
    }
  };
  loop.add(pipe.read_fd, handler, EPOLLIN | EPOLLET);
  LoopThread thread(loop);
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < times.size(); ++i) {
    std::this_thread::sleep_until(start + times[i]);
    poked[i] = std::chrono::steady_clock::now();
    pipe.poke();
  }
  EXPECT_TRUE(wait_for([&] { return bytes.load() == times.size(); }));
  BatchRun run;
  run.batched_waits = on_loop(loop, [&] { return loop.stats().batched_waits; });
  thread.stop();
  run.turns = turns.load();
  run.bytes = bytes.load();
  for (size_t i = 0; i < served.size() && i < poked.size(); ++i) run.delays.push_back(served[i] - poked[i]);
  return run;
}

TEST(EventLoop, BatchWindowGathersABusyStreamIntoFewerTurns) {
  // Two pokes 2 ms apart make the loop busy; the next five, 10 ms apart,
  // arrive within the 150 ms window and are served together.
  const auto run = poke_with_window(150ms, {0ms, 2ms, 12ms, 22ms, 32ms, 42ms, 52ms});
  EXPECT_EQ(run.bytes, 7u);
  EXPECT_LE(run.turns, 3);
  EXPECT_GE(run.batched_waits, 1u);
}

TEST(EventLoop, BatchWindowDoesNotDelayAQuietLoop) {
  // Pokes far apart: each is served at once, however wide the window.
  const auto run = poke_with_window(150ms, {0ms, 400ms, 800ms});
  EXPECT_EQ(run.turns, 3);
  EXPECT_EQ(run.batched_waits, 0u);
  for (auto delay : run.delays) EXPECT_LT(delay, 100ms);
}

TEST(EventLoop, WithoutABatchWindowEveryPokeWakesTheLoop) {
  const auto run = poke_with_window(0ms, {0ms, 2ms, 40ms, 80ms, 120ms});
  EXPECT_EQ(run.batched_waits, 0u);
  EXPECT_GE(run.turns, 4);  // the first two may share a turn on a loaded machine
}

TEST(EventLoop, HandlerRemovedDuringATurnGetsNoFurtherEvents) {
  EventLoop loop;
  Pipe first, second;
  std::atomic<int> first_calls{0}, second_calls{0};
  CallbackHandler a, b;
  uint64_t key_a = 0, key_b = 0;
  // Whichever runs first removes the other: both are ready in the same turn.
  a.callback = [&](uint32_t) {
    ++first_calls;
    first.drain();
    if (second_calls == 0) loop.remove(key_b, second.read_fd);
  };
  b.callback = [&](uint32_t) {
    ++second_calls;
    second.drain();
    if (first_calls == 0) loop.remove(key_a, first.read_fd);
  };
  key_a = loop.add(first.read_fd, a, EPOLLIN | EPOLLET);
  key_b = loop.add(second.read_fd, b, EPOLLIN | EPOLLET);
  first.poke();
  second.poke();
  LoopThread thread(loop);
  ASSERT_TRUE(wait_for([&] { return first_calls + second_calls > 0; }));
  std::this_thread::sleep_for(20ms);
  first.poke();
  second.poke();
  std::this_thread::sleep_for(20ms);
  thread.stop();
  // One was served twice (both pokes), the other never.
  EXPECT_EQ(first_calls + second_calls, 2);
  EXPECT_TRUE(first_calls == 0 || second_calls == 0);
}

TEST(EventLoop, ResumedHandlerIsCalledAgainWithoutANewEdge) {
  EventLoop loop;
  Pipe pipe;
  std::atomic<int> calls{0};
  CallbackHandler handler;
  uint64_t key = 0;
  handler.callback = [&](uint32_t events) {
    EXPECT_TRUE(events & EPOLLIN);
    if (++calls < 4) loop.resume_next_turn(key);
  };
  key = loop.add(pipe.read_fd, handler, EPOLLIN | EPOLLET);
  pipe.poke();  // one edge, never drained
  LoopThread thread(loop);
  ASSERT_TRUE(wait_for([&] { return calls >= 4; }));
  std::this_thread::sleep_for(20ms);
  thread.stop();
  EXPECT_EQ(calls.load(), 4);
  EXPECT_GE(loop.stats().continued_turns, 3u);
}

TEST(EventLoop, MoreReadyDescriptorsThanOneEventArrayAreAllServed) {
  EventLoop loop;
  constexpr int kPipes = 150;  // more than two wake-ups' worth of events
  std::vector<std::unique_ptr<Pipe>> pipes;
  std::vector<std::unique_ptr<CallbackHandler>> handlers;
  std::atomic<int> served{0};
  for (int i = 0; i < kPipes; ++i) {
    pipes.push_back(std::make_unique<Pipe>());
    auto handler = std::make_unique<CallbackHandler>();
    handler->callback = [&, p = pipes.back().get()](uint32_t) {
      p->drain();
      ++served;
    };
    loop.add(pipes.back()->read_fd, *handler, EPOLLIN | EPOLLET);
    handlers.push_back(std::move(handler));
    pipes.back()->poke();
  }
  LoopThread thread(loop);
  ASSERT_TRUE(wait_for([&] { return served == kPipes; }));
  thread.stop();
  EXPECT_EQ(served.load(), kPipes);
  EXPECT_GE(loop.stats().continued_turns, 1u);
}

// A UDP socket's batch: everything a turn queued leaves together, after the
// turn's handlers, deferred work and timers.
struct RecordingFlushable final : EventLoop::Flushable {
  std::vector<std::string>* order = nullptr;
  std::atomic<int>* flushes = nullptr;
  std::string name;
  void flush() override {
    order->push_back(name);
    ++*flushes;
  }
};

TEST(EventLoop, ListedOutputIsFlushedAfterTheTurnsWork) {
  EventLoop loop;
  Pipe pipe;
  std::vector<std::string> order;
  RecordingFlushable first, second, cancelled;
  std::atomic<int> flushes{0};
  for (auto* f : {&first, &second, &cancelled}) {
    f->order = &order;
    f->flushes = &flushes;
  }
  first.name = "first";
  second.name = "second";
  cancelled.name = "cancelled";
  CallbackHandler handler;
  handler.callback = [&](uint32_t) {
    pipe.drain();
    loop.flush_after_turn(first);
    loop.flush_after_turn(cancelled);
    loop.defer([&] {
      order.push_back("deferred");
      loop.flush_after_turn(second);
      loop.cancel_flush(cancelled);
    });
    order.push_back("handler");
  };
  loop.add(pipe.read_fd, handler, EPOLLIN | EPOLLET);
  pipe.poke();
  LoopThread thread(loop);
  ASSERT_TRUE(wait_for([&] { return flushes >= 2; }));
  std::this_thread::sleep_for(20ms);
  thread.stop();
  // Once each, in the order listed; nothing for the cancelled one.
  EXPECT_EQ(order, (std::vector<std::string>{"handler", "deferred", "first", "second"}));
}

TEST(EventLoop, DestroyingTheLoopDropsPendingWork) {
  std::atomic<int> ran{0};
  {
    EventLoop loop;
    loop.post([&] { ++ran; });
    loop.call_after(1ms, [&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 0);
}

}  // namespace
}  // namespace ct::net
