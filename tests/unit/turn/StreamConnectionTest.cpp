// StreamConnection over real loopback TCP sockets, with a plain blocking
// client (TCP) or an OpenSSL client (TLS) on the test's thread and the
// connection on an event loop thread.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "../../support/EventLoopThread.hpp"
#include "TurnTestSupport.hpp"
#include "core/Endian.hpp"
#include "net/EventLoop.hpp"
#include "turn/ChannelData.hpp"
#include "turn/SelfSignedCertificate.hpp"
#include "turn/StreamConnection.hpp"
#include "turn/TlsServerContext.hpp"
#include "turn/TurnStats.hpp"

namespace ct::turn {
namespace {

using net::EventLoop;

using ct::test::LoopThread;
using ct::test::on_loop;
using ct::test::wait_for;

using namespace std::chrono_literals;

// A connected loopback pair: the client end blocking (with a receive
// timeout), the server end non-blocking, as StreamListener hands it over.
struct TcpPair {
  int client = -1, server = -1;
  TcpPair(int client_receive_buffer = 0) {
    int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
    ::listen(listener, 1);
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (client_receive_buffer > 0)
      ::setsockopt(client, SOL_SOCKET, SO_RCVBUF, &client_receive_buffer, sizeof(client_receive_buffer));
    const int on = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    ::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    server = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    ::close(listener);
    timeval tv{3, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~TcpPair() {
    if (client >= 0) ::close(client);
  }
  void send(std::span<const uint8_t> data) const {
    ASSERT_EQ(::send(client, data.data(), data.size(), MSG_NOSIGNAL), ssize_t(data.size()));
  }
  // True when the server closed (end of stream or reset).
  bool closed_by_server() const {
    uint8_t buffer[256];
    for (;;) {
      const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
      if (n < 0) return false;  // timeout
    }
  }
};

// What the connection handed over, shared with the test thread.
struct Recorder {
  std::mutex mutex;
  std::vector<std::vector<uint8_t>> frames;
  std::atomic<int> closes{0};
  bool echo = false;

  size_t frame_count() {
    std::lock_guard lock(mutex);
    return frames.size();
  }
};

const FiveTuple kTuple{*net::SocketAddress::parse("127.0.0.1:40000"),
                       *net::SocketAddress::parse("127.0.0.1:3478"), Transport::Tcp};

// The test thread's hold on a connection. A connection belongs to the loop's
// thread (its destructor leaves the epoll set and cancels its timer), so the
// last reference is dropped there, also when an assertion ends a test early.
class ConnectionHandle {
 public:
  ConnectionHandle(EventLoop& loop, std::shared_ptr<StreamConnection> connection)
      : loop_(loop), connection_(std::move(connection)) {}
  ~ConnectionHandle() { reset(); }
  ConnectionHandle(const ConnectionHandle&) = delete;
  ConnectionHandle& operator=(const ConnectionHandle&) = delete;
  StreamConnection* operator->() const { return connection_.get(); }
  void reset() {
    if (connection_) on_loop(loop_, [this] { connection_.reset(); });
  }

 private:
  EventLoop& loop_;
  std::shared_ptr<StreamConnection> connection_;
};

ConnectionHandle start_connection(EventLoop& loop, int fd, Recorder& recorder,
                                  const TlsServerContext* tls = nullptr,
                                  Duration setup_timeout = StreamConnection::kDefaultSetupTimeout,
                                  Counter* send_drops = nullptr) {
  return ConnectionHandle(
      loop, on_loop(loop, [&] {
        auto c = std::make_shared<StreamConnection>(loop, fd, kTuple, tls, setup_timeout, send_drops);
        c->start(
            [&recorder](std::span<uint8_t> frame, StreamConnection& connection, TimePoint) {
              {
                std::lock_guard lock(recorder.mutex);
                recorder.frames.emplace_back(frame.begin(), frame.end());
              }
              if (recorder.echo) connection.send_to_client(frame);
            },
            [&recorder](StreamConnection& connection) {
              EXPECT_FALSE(connection.is_open());
              ++recorder.closes;
            });
        return c;
      }));
}

// One TCP connection's both ends, the loop running on its own thread.
class StreamConnectionTest : public ::testing::Test {
 protected:
  EventLoop loop;
  LoopThread thread{loop};
  TcpPair pair;
  Recorder recorder;
};

std::vector<uint8_t> binding_request() {
  test::TurnTestClient client;
  return client.request(
      stun::Method::Binding, [](stun::StunMessageBuilder&) {}, false);
}

std::vector<uint8_t> channel_data(uint16_t channel, size_t size) {
  std::vector<uint8_t> data(size, 0xAB);
  std::vector<uint8_t> out(4 + size + 3);
  out.resize(write_channel_data(out, channel, data, true));
  return out;
}

TEST_F(StreamConnectionTest, FrameSentOneByteAtATimeIsReassembled) {
  auto connection = start_connection(loop, pair.server, recorder);
  const auto request = binding_request();
  for (size_t i = 0; i < request.size(); ++i) {
    pair.send(std::span<const uint8_t>(&request[i], 1));
    if (i % 4 == 0) std::this_thread::sleep_for(1ms);  // separate reads, most of the time
  }
  ASSERT_TRUE(wait_for([&] { return recorder.frame_count() == 1; }));
  std::this_thread::sleep_for(20ms);
  std::lock_guard lock(recorder.mutex);
  ASSERT_EQ(recorder.frames.size(), 1u);
  EXPECT_EQ(recorder.frames[0], request);
  EXPECT_EQ(recorder.closes.load(), 0);
  EXPECT_TRUE(connection->established());
}

TEST_F(StreamConnectionTest, TwoFramesInOneWriteArriveSeparately) {
  auto connection = start_connection(loop, pair.server, recorder);
  const auto request = binding_request();
  const auto media = channel_data(0x4001, 5);  // padded to 12 bytes (RFC 8656 §12.5)
  ASSERT_EQ(media.size(), 12u);
  std::vector<uint8_t> both = request;
  both.insert(both.end(), media.begin(), media.end());
  pair.send(both);
  ASSERT_TRUE(wait_for([&] { return recorder.frame_count() == 2; }));
  std::lock_guard lock(recorder.mutex);
  EXPECT_EQ(recorder.frames[0], request);
  EXPECT_EQ(recorder.frames[1], media);
}

TEST_F(StreamConnectionTest, FramingGarbageClosesAndReportsClosedOnce) {
  auto connection = start_connection(loop, pair.server, recorder);
  const auto request = binding_request();
  std::vector<uint8_t> stream = request;
  stream.insert(stream.end(), {0xC0, 0x00, 0x00, 0x08});  // neither STUN nor ChannelData
  pair.send(stream);
  ASSERT_TRUE(wait_for([&] { return recorder.closes == 1; }));
  EXPECT_TRUE(pair.closed_by_server());
  on_loop(loop, [&] { connection->close(); });  // again: no second report
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(recorder.closes.load(), 1);
  EXPECT_EQ(recorder.frame_count(), 1u);
}

TEST_F(StreamConnectionTest, PeerClosingMidFrameReportsClosed) {
  auto connection = start_connection(loop, pair.server, recorder);
  const auto request = binding_request();
  pair.send(request);
  pair.send(std::span<const uint8_t>(request.data(), 10));
  ASSERT_TRUE(wait_for([&] { return recorder.frame_count() == 1; }));
  ::close(pair.client);
  pair.client = -1;
  ASSERT_TRUE(wait_for([&] { return recorder.closes == 1; }));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(recorder.closes.load(), 1);
  EXPECT_EQ(recorder.frame_count(), 1u);
  EXPECT_FALSE(on_loop(loop, [&] { return connection->is_open(); }));
}

TEST(StreamConnection, TcpWithoutAWholeFrameInTimeIsClosed) {
  EventLoop loop;
  LoopThread thread(loop);
  TcpPair idle, talking;
  Recorder idle_recorder, talking_recorder;
  auto a = start_connection(loop, idle.server, idle_recorder, nullptr, 50ms);
  auto b = start_connection(loop, talking.server, talking_recorder, nullptr, 50ms);
  talking.send(binding_request());
  idle.send(std::span<const uint8_t>(binding_request().data(), 8));  // a start is not enough
  ASSERT_TRUE(wait_for([&] { return idle_recorder.closes == 1; }, 1000ms));
  EXPECT_TRUE(idle.closed_by_server());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(talking_recorder.closes.load(), 0);
  EXPECT_TRUE(on_loop(loop, [&] { return b->is_open(); }));
}

// The client never reads: the server's queue stops at its bound and drops
// the rest; once the client reads, everything accepted arrives, in order.
void check_output_cap(const TlsServerContext* tls) {
  EventLoop loop;
  LoopThread thread(loop);
  TcpPair pair(64 * 1024);
  SSL_CTX* client_ctx = nullptr;
  SSL* client_ssl = nullptr;
  Recorder recorder;
  Counter server_drops;  // the server's dropped_send_full
  auto connection = start_connection(loop, pair.server, recorder, tls, StreamConnection::kDefaultSetupTimeout,
                                     &server_drops);
  if (tls) {
    client_ctx = SSL_CTX_new(TLS_client_method());
    client_ssl = SSL_new(client_ctx);
    SSL_set_fd(client_ssl, pair.client);
    ASSERT_EQ(SSL_connect(client_ssl), 1);
  }
  // The connection counts as set up only after a frame (TCP) or the handshake (TLS).
  if (!tls) {
    pair.send(binding_request());
    ASSERT_TRUE(wait_for([&] { return recorder.frame_count() == 1; }));
  } else {
    ASSERT_TRUE(wait_for([&] { return on_loop(loop, [&] { return connection->established(); }); }));
  }
  constexpr size_t kMessage = 1000;
  constexpr size_t kMessages = 8000;  // 8 MB, four times the bound
  const size_t accepted = on_loop(loop, [&] {
    size_t max_queued = 0;
    std::vector<uint8_t> message(kMessage);
    for (size_t i = 0; i < kMessages; ++i) {
      for (size_t k = 0; k < kMessage; k += 4) store_u32(message.data() + k, uint32_t(i));
      connection->send_to_client(message);
      max_queued = std::max(max_queued, connection->queued_bytes());
    }
    EXPECT_LE(max_queued, StreamConnection::kMaxQueuedToClient);
    EXPECT_GT(connection->dropped_messages(), 0u);
    EXPECT_EQ(server_drops.get(), connection->dropped_messages());
    return kMessages - connection->dropped_messages();
  });
  EXPECT_LT(accepted, kMessages);
  // Now read everything: what was accepted arrives whole and in order.
  std::vector<uint8_t> received;
  received.reserve(accepted * kMessage);
  std::vector<uint8_t> buffer(65536);
  while (received.size() < accepted * kMessage) {
    const ssize_t n = tls ? SSL_read(client_ssl, buffer.data(), int(buffer.size()))
                          : ::recv(pair.client, buffer.data(), buffer.size(), 0);
    ASSERT_GT(n, 0) << "after " << received.size() << " bytes";
    received.insert(received.end(), buffer.begin(), buffer.begin() + n);
  }
  EXPECT_EQ(received.size(), accepted * kMessage);
  uint32_t previous = 0;
  for (size_t m = 0; m < accepted; ++m) {
    const uint32_t number = load_u32(received.data() + m * kMessage);
    if (m > 0) {
      ASSERT_GT(number, previous);
    }
    ASSERT_EQ(load_u32(received.data() + m * kMessage + kMessage - 4), number);
    previous = number;
  }
  EXPECT_EQ(on_loop(loop, [&] { return connection->queued_bytes(); }), 0u);
  EXPECT_EQ(recorder.closes.load(), 0);
  if (client_ssl) SSL_free(client_ssl);
  if (client_ctx) SSL_CTX_free(client_ctx);
}

TEST(StreamConnection, StalledTcpReaderLosesMessagesNotMemory) { check_output_cap(nullptr); }

const TlsServerContext& test_tls() {
  static const TlsServerContext tls = [] {
    auto pem = make_self_signed_certificate("turn-test");
    return TlsServerContext::from_pem(pem.certificate, pem.private_key);
  }();
  return tls;
}

TEST(StreamConnection, StalledTlsReaderLosesMessagesNotMemory) { check_output_cap(&test_tls()); }

TEST_F(StreamConnectionTest, StunBindingOverTlsWithAnOpenSslClient) {
  recorder.echo = true;
  auto connection = start_connection(loop, pair.server, recorder, &test_tls());
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, pair.client);
  ASSERT_EQ(SSL_connect(ssl), 1);
  // A request split across two TLS records, then two in one.
  const auto request = binding_request();
  ASSERT_EQ(SSL_write(ssl, request.data(), 7), 7);
  std::this_thread::sleep_for(5ms);
  ASSERT_EQ(SSL_write(ssl, request.data() + 7, int(request.size() - 7)), int(request.size() - 7));
  std::vector<uint8_t> two = request;
  two.insert(two.end(), request.begin(), request.end());
  ASSERT_EQ(SSL_write(ssl, two.data(), int(two.size())), int(two.size()));
  std::vector<uint8_t> echoed;
  uint8_t buffer[1024];
  while (echoed.size() < 3 * request.size()) {
    const int n = SSL_read(ssl, buffer, sizeof(buffer));
    ASSERT_GT(n, 0);
    echoed.insert(echoed.end(), buffer, buffer + n);
  }
  EXPECT_EQ(std::vector<uint8_t>(echoed.begin(), echoed.begin() + ptrdiff_t(request.size())), request);
  EXPECT_EQ(recorder.frame_count(), 3u);
  EXPECT_TRUE(on_loop(loop, [&] { return connection->established(); }));
  // Garbage over TLS closes too, once.
  const uint8_t junk[4] = {0xFF, 0xFF, 0xFF, 0xFF};
  ASSERT_EQ(SSL_write(ssl, junk, 4), 4);
  ASSERT_TRUE(wait_for([&] { return recorder.closes == 1; }));
  EXPECT_LE(SSL_read(ssl, buffer, sizeof(buffer)), 0);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

TEST(StreamConnection, TlsHandshakeTimeoutClosesAnIdleConnection) {
  EventLoop loop;
  LoopThread thread(loop);
  TcpPair idle;
  Recorder recorder;
  const auto t0 = std::chrono::steady_clock::now();
  auto connection = start_connection(loop, idle.server, recorder, &test_tls(), 50ms);
  ASSERT_TRUE(wait_for([&] { return recorder.closes == 1; }, 1000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 45ms);
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_FALSE(on_loop(loop, [&] { return connection->established(); }));
}

TEST_F(StreamConnectionTest, TlsGarbageInsteadOfAHandshakeCloses) {
  auto connection = start_connection(loop, pair.server, recorder, &test_tls());
  pair.send(binding_request());  // plain STUN on the TLS port
  ASSERT_TRUE(wait_for([&] { return recorder.closes == 1; }));
  EXPECT_TRUE(pair.closed_by_server());
  EXPECT_EQ(recorder.frame_count(), 0u);
}

TEST_F(StreamConnectionTest, DestroyedWhileOpenLeavesTheLoopCleanly) {
  auto connection = start_connection(loop, pair.server, recorder, nullptr, 20ms);
  connection.reset();  // on the loop's thread; its setup timer must not fire on a dead connection
  std::this_thread::sleep_for(60ms);
  EXPECT_TRUE(pair.closed_by_server());
  EXPECT_EQ(recorder.closes.load(), 0);
}

}  // namespace
}  // namespace ct::turn
