#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "../../support/WebSocketFrames.hpp"
#include "http/HttpServer.hpp"
#include "signal/RtcService.hpp"

namespace ct::signal {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A WebSocket client on a raw TCP socket, so a test decides exactly which
// bytes go out in one write. Every wait is bounded.
class RawWebSocketClient {
 public:
  explicit RawWebSocketClient(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  void write(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }

  // The server's handshake response head, or nullopt.
  std::optional<std::string> read_response_head() {
    if (!fill([&] { return in_.find("\r\n\r\n") != std::string::npos; })) return std::nullopt;
    const auto end = in_.find("\r\n\r\n") + 4;
    std::string head = in_.substr(0, end);
    in_.erase(0, end);
    return head;
  }

  // The payload of the next unmasked text frame from the server, or nullopt.
  std::optional<std::string> read_text_message() {
    std::optional<ct::test::ServerFrame> frame;
    const bool complete = fill([&] {
      frame = ct::test::peek_server_frame(in_);
      return frame && frame->complete;
    });
    if (!complete || !frame->text) return std::nullopt;
    std::string payload = in_.substr(frame->header, frame->length);
    in_.erase(0, frame->header + frame->length);
    return payload;
  }

 private:
  template <class Done>
  bool fill(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
      bool finished = false;
      boost::system::error_code result;
      size_t got = 0;
      socket_.async_read_some(asio::buffer(chunk_), [&](boost::system::error_code ec, size_t n) {
        result = ec;
        got = n;
        finished = true;
      });
      io_.restart();
      io_.run_until(deadline);
      if (!finished) {
        socket_.cancel();
        io_.restart();
        io_.run();
        return false;
      }
      in_.append(chunk_.data(), got);
      if (result) return done();
    }
    return true;
  }

  asio::io_context io_;
  tcp::socket socket_;
  std::array<char, 4096> chunk_{};
  std::string in_;
};

class RtcSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::HttpServerConfig config;
    config.port = 0;
    server_ = std::make_unique<http::HttpServer>(io_, config);
    service_ = std::make_shared<RtcService>(RtcServiceConfig{}, std::vector<sfu::MediaWorker*>{});
    service_->install(*server_);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    server_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{asio::make_work_guard(io_)};
  std::unique_ptr<http::HttpServer> server_;
  std::shared_ptr<RtcService> service_;
  std::thread thread_;
};

TEST_F(RtcSessionTest, MessagesSentInTheUpgradeWriteAreAnswered) {
  RawWebSocketClient client(server_->port());
  // A client may send its first frames right behind the handshake without
  // waiting for the 101 (RFC 6455 §4.1 lets it once the request is sent):
  // here they arrive in the same TCP segment as the request.
  client.write(
      "GET /rtc HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n" +
      ct::test::masked_text_frame(R"({"type":"ping","timestamp":41})") +
      ct::test::masked_text_frame(R"({"type":"ping","timestamp":42})"));

  const auto head = client.read_response_head();
  ASSERT_TRUE(head);
  EXPECT_TRUE(head->starts_with("HTTP/1.1 101")) << *head;
  // RFC 6455 §1.3's sample key and its accept value.
  EXPECT_NE(head->find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos) << *head;
  for (int64_t timestamp : {41, 42}) {
    const auto message = client.read_text_message();
    ASSERT_TRUE(message) << "no pong for ping " << timestamp;
    const auto pong = nlohmann::json::parse(*message);
    EXPECT_EQ(pong.at("type"), "pong");
    EXPECT_EQ(pong.at("timestamp"), timestamp);
  }
  EXPECT_EQ(service_->stats().messages, 2u);
}

}  // namespace
}  // namespace ct::signal
