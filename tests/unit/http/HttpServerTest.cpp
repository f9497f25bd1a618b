#include "HttpServerFixture.hpp"
#include "http/HttpServer.hpp"

namespace ct::http::test {
namespace {

TEST_F(HttpServerTest, UnknownPathIs404) {
  start();
  Client c(port());
  auto r = c.request(bhttp::verb::get, "/no/such/file.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
  EXPECT_FALSE(r->body().empty());
  EXPECT_LT(r->body().size(), 64u);
  EXPECT_EQ(field(*r, "Server"), "CipherTalk");
  auto post = c.request(bhttp::verb::post, "/nowhere", "x");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->result_int(), 404);
}

TEST_F(HttpServerTest, RoutesEchoBodyWithCorsHeaders) {
  start();
  Client c(port());
  auto r = c.request(bhttp::verb::post, "/echo", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n",
                     {{"Content-Type", "application/sdp"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 201);
  EXPECT_EQ(r->body(), "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");
  EXPECT_EQ(field(*r, "Content-Type"), "application/json");
  EXPECT_EQ(field(*r, "Location"), "/echo/abc123");
  EXPECT_EQ(field(*r, "Access-Control-Allow-Origin"), "*");
  EXPECT_NE(field(*r, "Access-Control-Expose-Headers").find("Location"), std::string::npos);

  auto g = c.request(bhttp::verb::get, "/hello");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->result_int(), 200);
  EXPECT_EQ(g->body(), "hello\n");

  // Static files are not CORS-enabled, nor a response that opts out.
  auto s = c.request(bhttp::verb::get, "/app.js");
  ASSERT_TRUE(s);
  EXPECT_EQ(field(*s, "Access-Control-Allow-Origin"), "");
  auto p = c.request(bhttp::verb::get, "/private");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->result_int(), 200);
  EXPECT_EQ(field(*p, "Access-Control-Allow-Origin"), "");
}

TEST_F(HttpServerTest, PrefixRouteAndDecodedQuery) {
  start();
  Client c(port());
  auto d = c.request(bhttp::verb::delete_, "/echo/abc%20123");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->result_int(), 200);
  EXPECT_EQ(d->body(), "/echo/abc 123");
  auto q = c.request(bhttp::verb::get, "/query?a=hello%20world&b=x+y&c", {}, {{"X-Test", "Value"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->body(), "hello world|x y|Value");
  auto bad = c.request(bhttp::verb::get, "/query?a=%G1");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result_int(), 400);
}

TEST_F(HttpServerTest, ResponderCompletesFromAnotherThread) {
  start();
  Client c(port());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.request(bhttp::verb::post, "/slow", "offer");
  ASSERT_TRUE(r);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 90ms);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_EQ(r->body(), "later:offer");
  // The second call was ignored: the connection carries on cleanly.
  auto next = c.request(bhttp::verb::get, "/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200);
  EXPECT_EQ(next->body(), "hello\n");
}

TEST_F(HttpServerTest, DroppedOrThrowingHandlersAnswer500) {
  start();
  Client c(port());
  auto d = c.request(bhttp::verb::get, "/drop");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->result_int(), 500);
  auto t = c.request(bhttp::verb::get, "/throw");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->result_int(), 500);
}

TEST_F(HttpServerTest, SilentHandlerTimesOutWith504) {
  HttpServerConfig config;
  config.response_timeout = 1s;
  start(config);
  Client c(port());
  auto r = c.request(bhttp::verb::get, "/never");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 504);
  // A late answer after the timeout goes nowhere.
  {
    std::lock_guard lock(mutex_);
    ASSERT_EQ(held_.size(), 1u);
    held_[0](HttpResponse::text(200, "too late"));
  }
  auto next = c.request(bhttp::verb::get, "/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "hello\n");
}

TEST_F(HttpServerTest, LargeBodyIs413) {
  start();
  Client c(port());
  auto r = c.request(bhttp::verb::post, "/echo", std::string(100 * 1024, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413);
  // A JSON error like the API's, with the limit in the message.
  EXPECT_EQ((*r)[bhttp::field::content_type], "application/json");
  EXPECT_EQ(r->body(),
            R"({"code":"body_too_large","message":"the request body is larger than 65536 bytes"})");
  // Exactly the limit is fine.
  Client ok(port());
  auto fits = ok.request(bhttp::verb::post, "/echo", std::string(64 * 1024, 'y'));
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->result_int(), 201);
  EXPECT_EQ(fits->body().size(), 64u * 1024);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  start();
  Client c(port());
  std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(16 * 1024, 'z');
  for (int i = 0; i < 6; ++i) req += "4000\r\n" + chunk + "\r\n";
  req += "0\r\n\r\n";
  c.send_raw(req);
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413);
}

TEST_F(HttpServerTest, ExpectContinueGets100) {
  start();
  Client c(port());
  c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  // Beast's parser reads the interim 100 as a complete response.
  auto interim = c.read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100);
  c.send_raw("hello");
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 201);
  EXPECT_EQ(r->body(), "hello");
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  start();
  Client c(port());
  auto r = c.request(bhttp::verb::get, "/echo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 405);
  EXPECT_EQ(field(*r, "Allow"), "POST");
  auto p = c.request(bhttp::verb::put, "/echo/abc", "x");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->result_int(), 405);
  EXPECT_EQ(field(*p, "Allow"), "DELETE");
  auto s = c.request(bhttp::verb::post, "/index.html", "x");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->result_int(), 405);
  EXPECT_EQ(field(*s, "Allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, OptionsPreflightForRoutes) {
  start();
  Client c(port());
  auto r = c.request(bhttp::verb::options, "/echo", {},
                     {{"Origin", "https://example.org"},
                      {"Access-Control-Request-Method", "POST"},
                      {"Access-Control-Request-Headers", "content-type, authorization"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 204);
  EXPECT_EQ(field(*r, "Access-Control-Allow-Origin"), "*");
  EXPECT_NE(field(*r, "Access-Control-Allow-Methods").find("POST"), std::string::npos);
  EXPECT_EQ(field(*r, "Access-Control-Allow-Headers"), "content-type, authorization");
  EXPECT_TRUE(r->body().empty());
  auto d = c.request(bhttp::verb::options, "/echo/xyz", {}, {{"Access-Control-Request-Method", "DELETE"}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->result_int(), 204);
  EXPECT_NE(field(*d, "Access-Control-Allow-Methods").find("DELETE"), std::string::npos);
  EXPECT_NE(field(*d, "Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
}

TEST_F(HttpServerTest, KeepAliveAndPipelining) {
  start();
  Client c(port());
  auto a = c.request(bhttp::verb::get, "/hello");
  auto b = c.request(bhttp::verb::get, "/app.js");
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->body(), "hello\n");
  EXPECT_EQ(b->body(), "console.log('hi');");
  EXPECT_TRUE(b->keep_alive());

  c.send_raw("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /data.json HTTP/1.1\r\nHost: x\r\n\r\n");
  auto p1 = c.read();
  auto p2 = c.read();
  ASSERT_TRUE(p1);
  ASSERT_TRUE(p2);
  EXPECT_EQ(p1->body(), "hello\n");
  EXPECT_EQ(p2->body(), "{}");

  // Connection: close is honoured.
  c.send_raw("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto last = c.read();
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->keep_alive());
  bool closed = false;
  EXPECT_EQ(c.read_until_close(&closed), "");
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, GarbageGets400OrCloseAndServerLivesOn) {
  start();
  static constexpr char kTlsHello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n";
  for (std::string garbage :
       {std::string(kTlsHello, sizeof kTlsHello - 1), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET\r\n\r\n"), std::string("POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
        std::string("POST /echo HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
        std::string("GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n"), std::string("\r\n\r\n\r\n\r\n"),
        std::string(3000, '\xff') + "\r\n\r\n"}) {
    Client bad(port());
    bad.send_raw(garbage);
    bool closed = false;
    const auto reply = bad.read_until_close(&closed);
    EXPECT_TRUE(closed);
    EXPECT_TRUE(reply.empty() || reply.starts_with("HTTP/1.1 400")) << reply;
  }
  Client good(port());
  auto r = good.request(bhttp::verb::get, "/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  start();
  Client c(port());
  auto r = c.request(bhttp::verb::get, "/hello", {}, {{"X-Big", std::string(10000, 'a')}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 431);
}

TEST_F(HttpServerTest, IdleConnectionIsClosed) {
  HttpServerConfig config;
  config.idle_timeout = 1s;
  start(config);
  Client c(port());
  const auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  EXPECT_EQ(c.read_until_close(&closed), "");
  EXPECT_TRUE(closed);
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 4s);
}

TEST_F(HttpServerTest, ConnectionCapRefusesExtraClients) {
  HttpServerConfig config;
  config.max_connections = 2;
  start(config);
  auto a = std::make_unique<Client>(port());
  Client b(port());
  ASSERT_TRUE(a->request(bhttp::verb::get, "/hello"));
  ASSERT_TRUE(b.request(bhttp::verb::get, "/hello"));
  EXPECT_EQ(server_->connection_count(), 2u);
  {
    Client extra(port());
    bool closed = false;
    const auto reply = extra.read_until_close(&closed);
    EXPECT_TRUE(closed);
    EXPECT_TRUE(reply.empty() || reply.starts_with("HTTP/1.1 503")) << reply;
  }
  a.reset();  // frees a slot once the server notices the close
  for (int i = 0; i < 100 && server_->connection_count() >= 2; ++i) std::this_thread::sleep_for(10ms);
  Client later(port());
  auto r = later.request(bhttp::verb::get, "/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
}

TEST_F(HttpServerTest, PortInUseThrowsClearError) {
  start();
  HttpServerConfig config;
  config.port = port();
  HttpServer second(io_, config);
  try {
    second.start();
    FAIL() << "second bind succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(port())), std::string::npos) << e.what();
  }
}

TEST_F(HttpServerTest, StopClosesOpenConnections) {
  start();
  Client c(port());
  ASSERT_TRUE(c.request(bhttp::verb::get, "/hello"));
  server_->stop();
  bool closed = false;
  c.read_until_close(&closed);
  EXPECT_TRUE(closed);
  for (int i = 0; i < 100 && server_->connection_count() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_THROW(Client{port()}, boost::system::system_error);
}

TEST_F(HttpServerTest, ConcurrentClientsOnTwoIoThreads) {
  start();
  std::thread second_io([this] { io_.run(); });  // connections must hold up on strands
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([this, t, &ok] {
      Client c(port());
      for (int i = 0; i < 15; ++i) {
        const std::string body = "c" + std::to_string(t) + "-" + std::to_string(i);
        auto r = (i % 5 == 4) ? c.request(bhttp::verb::post, "/slow", body)
                              : c.request(bhttp::verb::post, "/echo", body);
        if (r && (r->body() == body || r->body() == "later:" + body)) ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 6 * 15);
  server_->stop();
  work_.reset();
  io_.stop();
  second_io.join();
}

}  // namespace
}  // namespace ct::http::test
