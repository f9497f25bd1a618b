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
