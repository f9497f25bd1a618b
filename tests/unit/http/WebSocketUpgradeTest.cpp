#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>
#include <string>
#include <vector>

#include "../../support/WebSocketFrames.hpp"
#include "HttpServerFixture.hpp"
#include "http/HttpServer.hpp"
#include "http/ReadAheadStream.hpp"
#include "http/WebSocketUpgrade.hpp"

namespace ct::http::test {
namespace {

namespace websocket = boost::beast::websocket;

constexpr std::string_view kUpgradeHead =
    "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

// The text messages in unmasked server frames, in order; stops at the first
// frame that is not a whole text frame.
std::vector<std::string> text_messages(std::string_view frames) {
  std::vector<std::string> out;
  while (auto f = ct::test::peek_server_frame(frames)) {
    if (!f->text || !f->complete) break;
    out.emplace_back(frames.substr(f->header, f->length));
    frames.remove_prefix(f->header + f->length);
  }
  return out;
}

// A WebSocket that sends back each text message, and after `messages` of them
// ends the TCP connection (so the test client reads to the end).
class EchoWebSocket : public std::enable_shared_from_this<EchoWebSocket> {
 public:
  EchoWebSocket(std::unique_ptr<UpgradedConnection> c, int messages)
      : ws_(std::move(c->stream)), request_(std::move(c->request)), left_(messages) {}

  void start() {
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->ws_.text(true);
      self->ws_.async_write(self->buffer_.data(), [self](beast::error_code wec, size_t) {
        self->buffer_.consume(self->buffer_.size());
        if (wec) return;
        if (--self->left_ > 0) return self->read();
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    });
  }

  WebSocketStream ws_;
  bhttp::request<bhttp::string_body> request_;
  beast::flat_buffer buffer_;
  int left_;
};

class WebSocketUpgradeTest : public HttpServerTest {
 protected:
  void start_echo(int messages) {
    start({}, [messages](HttpServer& s) {
      s.set_upgrade_handler("/ws", [messages](HttpRequest, std::unique_ptr<UpgradedConnection> conn) {
        std::make_shared<EchoWebSocket>(std::move(conn), messages)->start();
      });
    });
  }

  // Everything the server sends, split into its handshake response and the
  // text messages behind it.
  static std::pair<std::string, std::vector<std::string>> split_reply(const std::string& reply) {
    const auto end = reply.find("\r\n\r\n");
    if (end == std::string::npos) return {reply, {}};
    return {reply.substr(0, end + 4), text_messages(std::string_view(reply).substr(end + 4))};
  }
};

TEST_F(WebSocketUpgradeTest, UpgradeRequestIsHandedOver) {
  std::atomic<bool> got{false};
  start({}, [&](HttpServer& s) {
    s.set_upgrade_handler("/rtc", [&](HttpRequest req, std::unique_ptr<UpgradedConnection> conn) {
      got = req.header("sec-websocket-key") == "dGhlIHNhbXBsZSBub25jZQ==" &&
            conn->request.target() == "/rtc?token=abc" && req.query["token"] == "abc";
      const std::string reply = "HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded";
      beast::error_code ec;
      net::write(conn->stream.next_layer().socket(), net::buffer(reply), ec);
    });
  });
  Client c(port());
  c.send_raw(
      "GET /rtc?token=abc HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  bool closed = false;
  const auto reply = c.read_until_close(&closed);
  EXPECT_EQ(reply, "HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded");
  EXPECT_TRUE(got.load());
  // A plain GET to the same path is an ordinary (here unknown) request.
  Client plain(port());
  auto r = plain.request(bhttp::verb::get, "/rtc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
}

TEST_F(WebSocketUpgradeTest, EchoesMessagesSentAfterTheHandshake) {
  start_echo(2);
  net::io_context io;
  websocket::stream<tcp::socket> client(io);
  client.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port()));
  const timeval limit{5, 0};  // a silent server fails the test instead of hanging it
  ASSERT_EQ(setsockopt(client.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit),
            0);
  client.handshake("127.0.0.1", "/ws");
  for (const std::string& text : {std::string("first"), std::string(3000, 'x')}) {
    client.write(net::buffer(text));
    beast::flat_buffer buffer;
    client.read(buffer);
    EXPECT_EQ(beast::buffers_to_string(buffer.data()), text);
  }
}

TEST_F(WebSocketUpgradeTest, FramesSentWithTheRequestReachTheWebSocket) {
  start_echo(2);
  Client c(port());
  // One write: the request and, right behind it, two frames, as a client
  // does that sends without waiting for the 101 (RFC 6455 §4.1 allows it).
  c.send_raw(std::string(kUpgradeHead) + "\r\n" + ct::test::masked_text_frame("first") +
             ct::test::masked_text_frame("second"));
  const auto [head, messages] = split_reply(c.read_until_close());
  EXPECT_TRUE(head.starts_with("HTTP/1.1 101")) << head;
  // RFC 6455 §1.3's sample key and its accept value.
  EXPECT_NE(head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos) << head;
  EXPECT_EQ(messages, (std::vector<std::string>{"first", "second"}));
}

TEST_F(WebSocketUpgradeTest, ReadAheadLargerThanTheWebSocketReadBufferIsKept) {
  // A long request (a big cookie) and more frame bytes than Beast's
  // websocket::stream holds in its own read buffer (1536), in one write.
  start_echo(3);
  Client c(port());
  const std::string big(3000, 'b');
  c.send_raw(std::string(kUpgradeHead) + "Cookie: session=" + std::string(4000, 'c') + "\r\n\r\n" +
             ct::test::masked_text_frame("a") + ct::test::masked_text_frame(big) + ct::test::masked_text_frame("z"));
  const auto [head, messages] = split_reply(c.read_until_close());
  EXPECT_TRUE(head.starts_with("HTTP/1.1 101")) << head;
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0], "a");
  EXPECT_TRUE(messages[1] == big) << "the large message came back as " << messages[1].size() << " bytes";
  EXPECT_EQ(messages[2], "z");
}

TEST(ReadAheadStream, GivesTheBufferedBytesFirstThenTheSocket) {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  tcp::socket peer(io);
  peer.connect(acceptor.local_endpoint());
  beast::flat_buffer ahead;
  const std::string_view early = "early bytes|";
  ahead.commit(net::buffer_copy(ahead.prepare(early.size()), net::buffer(early.data(), early.size())));
  ReadAheadStream stream(beast::tcp_stream(acceptor.accept()), std::move(ahead));
  EXPECT_EQ(stream.read_ahead_size(), early.size());
  net::write(peer, net::buffer(std::string_view("late")));

  std::array<char, 5> first{};
  bool called = false;
  stream.async_read_some(net::buffer(first), [&](beast::error_code ec, size_t n) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(std::string_view(first.data(), n), "early");
    called = true;
  });
  // Like any asynchronous read, it completes outside the initiating call.
  EXPECT_FALSE(called);
  io.run_for(5s);
  EXPECT_TRUE(called);

  std::string rest(11, '\0');
  beast::error_code result = net::error::would_block;
  net::async_read(stream, net::buffer(rest), [&](beast::error_code ec, size_t) { result = ec; });
  io.restart();
  io.run_for(5s);
  EXPECT_FALSE(result) << result.message();
  EXPECT_EQ(rest, " bytes|late");
  EXPECT_EQ(stream.read_ahead_size(), 0u);
}

TEST(ReadAheadStream, WithNothingBufferedReadsTheSocket) {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  tcp::socket peer(io);
  peer.connect(acceptor.local_endpoint());
  ReadAheadStream stream(beast::tcp_stream(acceptor.accept()), beast::flat_buffer{});
  net::write(peer, net::buffer(std::string_view("only")));
  std::string got(4, '\0');
  beast::error_code result = net::error::would_block;
  net::async_read(stream, net::buffer(got), [&](beast::error_code ec, size_t) { result = ec; });
  io.run_for(5s);
  EXPECT_FALSE(result) << result.message();
  EXPECT_EQ(got, "only");
}

}  // namespace
}  // namespace ct::http::test
