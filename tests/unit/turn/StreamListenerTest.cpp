#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "../../support/EventLoopThread.hpp"
#include "core/Log.hpp"
#include "net/EventLoop.hpp"
#include "turn/StreamListener.hpp"

namespace ct::turn {
namespace {

using net::EventLoop;

using namespace std::chrono_literals;

struct Accepted {
  int fd;
  net::SocketAddress client, server;
  bool non_blocking, no_delay;
};

int connect_to(uint16_t port, net::SocketAddress* local) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  *local = *net::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
  return fd;
}

TEST(StreamListener, AcceptsEveryWaitingConnectionWithItsAddresses) {
  EventLoop loop;
  StreamListener listener(loop, *net::SocketAddress::parse("127.0.0.1:0"));
  const uint16_t port = listener.local_address().port();
  ASSERT_NE(port, 0);
  std::mutex mutex;
  std::vector<Accepted> accepted;
  listener.start([&](int fd, const net::SocketAddress& client, const net::SocketAddress& server) {
    int no_delay = 0;
    socklen_t len = sizeof(no_delay);
    ::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, &len);
    std::lock_guard lock(mutex);
    accepted.push_back({fd, client, server, (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, no_delay != 0});
  });
  // Two wait in the backlog before the loop runs, one arrives after.
  std::vector<int> clients;
  std::vector<net::SocketAddress> locals(3);
  clients.push_back(connect_to(port, &locals[0]));
  clients.push_back(connect_to(port, &locals[1]));
  std::thread thread([&] { loop.run(); });
  std::this_thread::sleep_for(20ms);
  clients.push_back(connect_to(port, &locals[2]));
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::lock_guard lock(mutex);
    if (accepted.size() == 3) break;
  }
  loop.stop();
  thread.join();
  ASSERT_EQ(accepted.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(accepted[i].client, locals[i]);
    EXPECT_EQ(accepted[i].server, *net::SocketAddress::parse_ip("127.0.0.1", port));
    EXPECT_TRUE(accepted[i].non_blocking);
    EXPECT_TRUE(accepted[i].no_delay);
    ::close(accepted[i].fd);
    ::close(clients[i]);
  }
}

// The descriptor limit that leaves exactly `count` new descriptors: new
// ones take the lowest free numbers, and the limit bounds the number.
rlim_t limit_leaving(int count) {
  for (int fd = 0;; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF && --count == 0) return rlim_t(fd) + 1;
  }
}

// Restores the descriptor limit however the test ends.
class DescriptorLimit {
 public:
  explicit DescriptorLimit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    ok_ = ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  ~DescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// Out of descriptors, accept() fails while connections wait; edge-triggered,
// they raise no new edge, so the listener must come back for them on its own
// once descriptors are free, and must not spin meanwhile.
TEST(StreamListener, RunningOutOfDescriptorsDelaysConnectionsWithoutLosingThem) {
  EventLoop loop;
  StreamListener listener(loop, *net::SocketAddress::parse("127.0.0.1:0"));
  const uint16_t port = listener.local_address().port();
  std::mutex mutex;
  std::vector<int> accepted;
  listener.start([&](int fd, const net::SocketAddress&, const net::SocketAddress&) {
    std::lock_guard lock(mutex);
    accepted.push_back(fd);
  });
  auto accepted_count = [&] {
    std::lock_guard lock(mutex);
    return accepted.size();
  };
  constexpr int kClients = 4;
  int clients[kClients];
  for (int& fd : clients) fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ct::test::LoopThread thread(loop);
  // The listener logs when it runs out. Under UBSan the first call on a
  // polymorphic object (the logger, fmt's buffers) checks its dynamic type by
  // probing memory through a pipe, which needs descriptors: call the logger
  // once now, and keep formatting and other threads' work (the test's own
  // on_loop calls) out of the starved part.
  spdlog::info("descriptor exhaustion test: starting");
  struct QuietLog {
    spdlog::level::level_enum saved = spdlog::get_level();
    QuietLog() { spdlog::set_level(spdlog::level::off); }
    ~QuietLog() { spdlog::set_level(saved); }
  };
  {
    QuietLog quiet;
    // Room for two accepted connections only.
    DescriptorLimit limit(limit_leaving(2));
    ASSERT_TRUE(limit.ok());
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    for (int fd : clients) ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    ASSERT_TRUE(ct::test::wait_for([&] { return accepted_count() == 2; }));
    std::this_thread::sleep_for(350ms);  // about three retries
    EXPECT_EQ(accepted_count(), 2u);
    // Descriptors come free: the two waiting connections are taken.
    {
      std::lock_guard lock(mutex);
      for (int fd : accepted) ::close(fd);
      accepted.clear();
    }
    ASSERT_TRUE(ct::test::wait_for([&] { return accepted_count() == 2; }));
  }
  const uint64_t retries = ct::test::on_loop(loop, [&] { return listener.stats().resource_retries; });
  EXPECT_GE(retries, 1u);
  EXPECT_LE(retries, 10u);  // a timer, not a spin
  EXPECT_EQ(ct::test::on_loop(loop, [&] { return listener.stats().accepted; }), 4u);
  thread.stop();
  for (int fd : accepted) ::close(fd);
  for (int fd : clients) ::close(fd);
}

TEST(StreamListener, PortInUseIsReportedWithTheAddress) {
  EventLoop loop;
  StreamListener first(loop, *net::SocketAddress::parse("127.0.0.1:0"));
  const auto taken = first.local_address();
  try {
    StreamListener second(loop, taken);
    FAIL() << "bound twice";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(taken.port())), std::string::npos);
  }
}

TEST(StreamListener, ClosedListenerRefusesConnections) {
  EventLoop loop;
  StreamListener listener(loop, *net::SocketAddress::parse("127.0.0.1:0"));
  const uint16_t port = listener.local_address().port();
  listener.start([](int fd, const net::SocketAddress&, const net::SocketAddress&) { ::close(fd); });
  listener.close();
  listener.close();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  EXPECT_NE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ::close(fd);
}

}  // namespace
}  // namespace ct::turn
