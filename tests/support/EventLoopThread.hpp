#pragma once
// Test helpers around net::EventLoop: run it on a thread of its own (and
// stop it as TurnServer does), run work on that thread, wait for a condition.
#include <chrono>
#include <future>
#include <thread>

#include "net/EventLoop.hpp"

namespace ct::test {

class LoopThread {
 public:
  explicit LoopThread(net::EventLoop& loop) : loop_(loop), thread_([this] { loop_.run(); }) {}
  ~LoopThread() { stop(); }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;
  void stop() {
    if (!thread_.joinable()) return;
    loop_.stop();
    thread_.join();
  }

 private:
  net::EventLoop& loop_;
  std::thread thread_;
};

// Runs `work` on the loop's thread and waits for its result.
template <class Work>
auto on_loop(net::EventLoop& loop, Work work) {
  std::packaged_task<decltype(work())()> task(std::move(work));
  auto result = task.get_future();
  loop.post([&task] { task(); });
  return result.get();
}

template <class Predicate>
bool wait_for(Predicate done, std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace ct::test
