#pragma once
// `ciphertalk serve`: the whole process of DESIGN.md §2 — the HTTP front
// thread, the media workers and their wiring — started and stopped as one.
#include <memory>

#include "app/Config.hpp"

namespace ct::app {

class Server {
 public:
  explicit Server(Config config);
  ~Server();
  // Binds every port (throws std::runtime_error naming what failed) and starts the threads.
  void start();
  // Blocks until SIGINT/SIGTERM, then shuts down cleanly.
  void run_until_signal();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::app
