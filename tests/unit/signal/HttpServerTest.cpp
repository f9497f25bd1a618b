#include "signal/HttpServer.hpp"
#include "signal/HttpUpgrade.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
// GCC 12 with sanitizers reports a false -Wmaybe-uninitialized inside Beast's
// response parser (a boost::optional content length); it is not our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace ct::signal {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using Response = http::response<http::string_body>;

std::string field(const Response& r, std::string_view name) {
  return std::string(r[beast::string_view(name.data(), name.size())]);
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

// A blocking-style test client whose every wait is bounded, so a server bug
// fails a test instead of hanging it.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  void send_raw(std::string_view data) {
    beast::error_code ec;
    net::write(socket_, net::buffer(data.data(), data.size()), ec);
  }

  void send(const http::request<http::string_body>& req) {
    beast::error_code ec;
    http::write(socket_, req, ec);
  }

  // One response, or nullopt on close, error or a 5 s timeout.
  std::optional<Response> read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    parser.body_limit(16 * 1024 * 1024);
    beast::error_code result;
    bool done = false;
    http::async_read(socket_, buffer_, parser, [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    wait(done);
    if (!done || result) return std::nullopt;
    return parser.release();
  }

  std::optional<Response> request(http::verb verb, std::string target, std::string body = {},
                                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [n, v] : headers) req.set(n, v);
    if (!body.empty() || verb == http::verb::post) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    send(req);
    return read(verb == http::verb::head);
  }

  // Everything until the server closes (or 5 s pass); `closed` tells which.
  std::string read_until_close(bool* closed = nullptr) {
    std::string out(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    std::array<char, 4096> chunk{};
    bool finished = false;
    bool done = false;
    std::function<void()> next = [&] {
      socket_.async_read_some(net::buffer(chunk), [&](beast::error_code ec, size_t n) {
        out.append(chunk.data(), n);
        if (ec) {
          finished = true;
          done = true;
          return;
        }
        next();
      });
    };
    next();
    wait(done);
    if (closed) *closed = finished;
    return out;
  }

  tcp::socket& socket() { return socket_; }

 private:
  void wait(bool& done) {
    io_.restart();
    io_.run_for(5s);
    if (!done) {
      beast::error_code ignored;
      socket_.cancel(ignored);
      io_.restart();
      io_.run();
    }
  }

  net::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("CT_TEST_DEBUG")) spdlog::set_level(spdlog::level::debug);
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("ct-http-test-" + std::to_string(rd()) + std::to_string(rd()));
    root_ = base_ / "www";
    fs::create_directories(root_ / "sub");
    write_file(root_ / "index.html", "<!doctype html><title>CipherTalk</title>");
    write_file(root_ / "app.js", "console.log('hi');");
    write_file(root_ / "mod.mjs", "export {};");
    write_file(root_ / "style.css", "body{}");
    write_file(root_ / "data.json", "{}");
    write_file(root_ / "icon.svg", "<svg/>");
    write_file(root_ / "codec.wasm", std::string("\0asm", 4));
    write_file(root_ / "sub" / "index.html", "sub index");
    write_file(root_ / "sub" / "note.txt", "note");
    write_file(base_ / "secret.txt", "TOP-SECRET");
    fs::create_symlink(base_ / "secret.txt", root_ / "escape.txt");
    fs::create_directory_symlink(base_, root_ / "up");
  }

  void TearDown() override {
    if (server_) server_->stop();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    for (auto& t : workers_) t.join();
    held_.clear();
    server_.reset();
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  // Starts a server on an ephemeral port with the standard test routes.
  void start(HttpServerConfig config = {}, const std::function<void(HttpServer&)>& extra = {}) {
    config.bind_address = "127.0.0.1";
    config.port = 0;
    config.static_root = root_.string();
    server_ = std::make_unique<HttpServer>(io_, config);
    server_->add_route("GET", "/hello", [](HttpRequest, Responder r) { r(HttpResponse::text(200, "hello\n")); });
    server_->add_route("GET", "/private", [](HttpRequest, Responder r) {
      auto response = HttpResponse::text(200, "for this origin only\n");
      response.cross_origin = false;
      r(std::move(response));
    });
    server_->add_route("POST", "/echo", [](HttpRequest req, Responder r) {
      auto res = HttpResponse::json(201, req.body);
      res.headers.emplace_back("Location", "/echo/abc123");
      r(std::move(res));
    });
    server_->add_prefix_route("DELETE", "/echo/", [](HttpRequest req, Responder r) {
      r(HttpResponse::text(200, req.path));
    });
    server_->add_route("GET", "/query", [](HttpRequest req, Responder r) {
      r(HttpResponse::text(200, req.query["a"] + "|" + req.query["b"] + "|" + req.header("x-test")));
    });
    server_->add_route("POST", "/slow", [this](HttpRequest req, Responder r) {
      std::lock_guard lock(mutex_);
      workers_.emplace_back([r, body = req.body] {
        std::this_thread::sleep_for(100ms);
        r(HttpResponse::text(202, "later:" + body));
        r(HttpResponse::text(500, "second call is ignored"));
      });
    });
    server_->add_route("GET", "/drop", [](HttpRequest, Responder) {});
    server_->add_route("GET", "/throw", [](HttpRequest, Responder) { throw std::runtime_error("boom"); });
    server_->add_route("GET", "/never", [this](HttpRequest, Responder r) {
      std::lock_guard lock(mutex_);
      held_.push_back(std::move(r));
    });
    if (extra) extra(*server_);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  uint16_t port() const { return server_->port(); }

  fs::path base_;
  fs::path root_;
  net::io_context io_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_{net::make_work_guard(io_)};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::vector<Responder> held_;
};

TEST_F(HttpServerTest, ServesStaticFilesWithContentType) {
  start();
  Client c(port());
  struct Case {
    const char* path;
    const char* type;
    const char* body;
  };
  for (const Case& k : {Case{"/app.js", "text/javascript; charset=utf-8", "console.log('hi');"},
                        Case{"/mod.mjs", "text/javascript; charset=utf-8", "export {};"},
                        Case{"/style.css", "text/css; charset=utf-8", "body{}"},
                        Case{"/data.json", "application/json", "{}"},
                        Case{"/icon.svg", "image/svg+xml", "<svg/>"},
                        Case{"/sub/note.txt", "text/plain; charset=utf-8", "note"}}) {
    auto r = c.request(http::verb::get, k.path);
    ASSERT_TRUE(r) << k.path;
    EXPECT_EQ(r->result_int(), 200) << k.path;
    EXPECT_EQ(field(*r, "Content-Type"), k.type) << k.path;
    EXPECT_EQ(r->body(), k.body) << k.path;
    EXPECT_EQ(field(*r, "Server"), "CipherTalk");
    EXPECT_EQ(field(*r, "Cache-Control"), "") << k.path;
  }
  auto wasm = c.request(http::verb::get, "/codec.wasm");
  ASSERT_TRUE(wasm);
  EXPECT_EQ(field(*wasm, "Content-Type"), "application/wasm");
  EXPECT_EQ(wasm->body().size(), 4u);
}

TEST_F(HttpServerTest, RootAndDirectoriesServeIndexHtml) {
  start();
  Client c(port());
  auto r = c.request(http::verb::get, "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "<!doctype html><title>CipherTalk</title>");
  EXPECT_EQ(field(*r, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(field(*r, "Cache-Control"), "no-cache");
  auto sub = c.request(http::verb::get, "/sub/");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->body(), "sub index");
}

TEST_F(HttpServerTest, HeadGivesLengthWithoutBody) {
  start();
  Client c(port());
  auto r = c.request(http::verb::head, "/app.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(field(*r, "Content-Length"), "18");
  EXPECT_TRUE(r->body().empty());
  // HEAD on a GET route.
  auto h = c.request(http::verb::head, "/hello");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->result_int(), 200);
  EXPECT_EQ(field(*h, "Content-Length"), "6");
  // The connection is still in step afterwards.
  auto after = c.request(http::verb::get, "/hello");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body(), "hello\n");
}

TEST_F(HttpServerTest, PathTraversalIsRefused) {
  start();
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/sub/../../secret.txt",
                             "/sub/%2e%2e/%2e%2e/secret.txt", "/..%2f..%2fsecret.txt", "/escape.txt",
                             "/up/secret.txt", "/%00index.html", "/index.html%00", "/%zz"}) {
    Client c(port());
    c.send_raw(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r) << target;
    EXPECT_TRUE(r->result_int() == 400 || r->result_int() == 404) << target << " gave " << r->result_int();
    EXPECT_EQ(r->body().find("TOP-SECRET"), std::string::npos) << target;
  }
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  start();
  Client c(port());
  auto r = c.request(http::verb::get, "/no/such/file.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
  EXPECT_FALSE(r->body().empty());
  EXPECT_LT(r->body().size(), 64u);
  EXPECT_EQ(field(*r, "Server"), "CipherTalk");
  auto post = c.request(http::verb::post, "/nowhere", "x");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->result_int(), 404);
}

TEST_F(HttpServerTest, NoStaticRootMeansOnlyRoutes) {
  HttpServerConfig config;
  config.port = 0;
  server_ = std::make_unique<HttpServer>(io_, config);
  server_->add_route("GET", "/healthz", [](HttpRequest, Responder r) { r(HttpResponse::text(200, "ok\n")); });
  server_->start();
  thread_ = std::thread([this] { io_.run(); });
  Client c(port());
  auto r = c.request(http::verb::get, "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
  auto h = c.request(http::verb::get, "/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->body(), "ok\n");
}

TEST_F(HttpServerTest, RoutesEchoBodyWithCorsHeaders) {
  start();
  Client c(port());
  auto r = c.request(http::verb::post, "/echo", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n",
                     {{"Content-Type", "application/sdp"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 201);
  EXPECT_EQ(r->body(), "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");
  EXPECT_EQ(field(*r, "Content-Type"), "application/json");
  EXPECT_EQ(field(*r, "Location"), "/echo/abc123");
  EXPECT_EQ(field(*r, "Access-Control-Allow-Origin"), "*");
  EXPECT_NE(field(*r, "Access-Control-Expose-Headers").find("Location"), std::string::npos);

  auto g = c.request(http::verb::get, "/hello");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->result_int(), 200);
  EXPECT_EQ(g->body(), "hello\n");

  // Static files are not CORS-enabled, nor a response that opts out.
  auto s = c.request(http::verb::get, "/app.js");
  ASSERT_TRUE(s);
  EXPECT_EQ(field(*s, "Access-Control-Allow-Origin"), "");
  auto p = c.request(http::verb::get, "/private");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->result_int(), 200);
  EXPECT_EQ(field(*p, "Access-Control-Allow-Origin"), "");
}

TEST_F(HttpServerTest, PrefixRouteAndDecodedQuery) {
  start();
  Client c(port());
  auto d = c.request(http::verb::delete_, "/echo/abc%20123");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->result_int(), 200);
  EXPECT_EQ(d->body(), "/echo/abc 123");
  auto q = c.request(http::verb::get, "/query?a=hello%20world&b=x+y&c", {}, {{"X-Test", "Value"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->body(), "hello world|x y|Value");
  auto bad = c.request(http::verb::get, "/query?a=%G1");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result_int(), 400);
}

TEST_F(HttpServerTest, ResponderCompletesFromAnotherThread) {
  start();
  Client c(port());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.request(http::verb::post, "/slow", "offer");
  ASSERT_TRUE(r);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 90ms);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_EQ(r->body(), "later:offer");
  // The second call was ignored: the connection carries on cleanly.
  auto next = c.request(http::verb::get, "/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200);
  EXPECT_EQ(next->body(), "hello\n");
}

TEST_F(HttpServerTest, DroppedOrThrowingHandlersAnswer500) {
  start();
  Client c(port());
  auto d = c.request(http::verb::get, "/drop");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->result_int(), 500);
  auto t = c.request(http::verb::get, "/throw");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->result_int(), 500);
}

TEST_F(HttpServerTest, SilentHandlerTimesOutWith504) {
  HttpServerConfig config;
  config.response_timeout = 1s;
  start(config);
  Client c(port());
  auto r = c.request(http::verb::get, "/never");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 504);
  // A late answer after the timeout goes nowhere.
  {
    std::lock_guard lock(mutex_);
    ASSERT_EQ(held_.size(), 1u);
    held_[0](HttpResponse::text(200, "too late"));
  }
  auto next = c.request(http::verb::get, "/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "hello\n");
}

TEST_F(HttpServerTest, LargeBodyIs413) {
  start();
  Client c(port());
  auto r = c.request(http::verb::post, "/echo", std::string(100 * 1024, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413);
  // Exactly the limit is fine.
  Client ok(port());
  auto fits = ok.request(http::verb::post, "/echo", std::string(64 * 1024, 'y'));
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
  auto r = c.request(http::verb::get, "/echo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 405);
  EXPECT_EQ(field(*r, "Allow"), "POST");
  auto p = c.request(http::verb::put, "/echo/abc", "x");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->result_int(), 405);
  EXPECT_EQ(field(*p, "Allow"), "DELETE");
  auto s = c.request(http::verb::post, "/index.html", "x");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->result_int(), 405);
  EXPECT_EQ(field(*s, "Allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, OptionsPreflightForRoutes) {
  start();
  Client c(port());
  auto r = c.request(http::verb::options, "/echo", {},
                     {{"Origin", "https://example.org"},
                      {"Access-Control-Request-Method", "POST"},
                      {"Access-Control-Request-Headers", "content-type, authorization"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 204);
  EXPECT_EQ(field(*r, "Access-Control-Allow-Origin"), "*");
  EXPECT_NE(field(*r, "Access-Control-Allow-Methods").find("POST"), std::string::npos);
  EXPECT_EQ(field(*r, "Access-Control-Allow-Headers"), "content-type, authorization");
  EXPECT_TRUE(r->body().empty());
  auto d = c.request(http::verb::options, "/echo/xyz", {}, {{"Access-Control-Request-Method", "DELETE"}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->result_int(), 204);
  EXPECT_NE(field(*d, "Access-Control-Allow-Methods").find("DELETE"), std::string::npos);
  EXPECT_NE(field(*d, "Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
}

TEST_F(HttpServerTest, KeepAliveAndPipelining) {
  start();
  Client c(port());
  auto a = c.request(http::verb::get, "/hello");
  auto b = c.request(http::verb::get, "/app.js");
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
  for (std::string garbage : {std::string(kTlsHello, sizeof kTlsHello - 1),
                              std::string("GET / HTTP/9.9\r\n\r\n"), std::string("GET\r\n\r\n"),
                              std::string("POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
                              std::string("POST /echo HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
                              std::string("GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n"),
                              std::string("\r\n\r\n\r\n\r\n"), std::string(3000, '\xff') + "\r\n\r\n"}) {
    Client bad(port());
    bad.send_raw(garbage);
    bool closed = false;
    const auto reply = bad.read_until_close(&closed);
    EXPECT_TRUE(closed);
    EXPECT_TRUE(reply.empty() || reply.starts_with("HTTP/1.1 400")) << reply;
  }
  Client good(port());
  auto r = good.request(http::verb::get, "/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  start();
  Client c(port());
  auto r = c.request(http::verb::get, "/hello", {}, {{"X-Big", std::string(10000, 'a')}});
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
  ASSERT_TRUE(a->request(http::verb::get, "/hello"));
  ASSERT_TRUE(b.request(http::verb::get, "/hello"));
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
  auto r = later.request(http::verb::get, "/hello");
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

TEST_F(HttpServerTest, MissingStaticRootThrows) {
  HttpServerConfig config;
  config.port = 0;
  config.static_root = (base_ / "does-not-exist").string();
  HttpServer server(io_, config);
  EXPECT_THROW(server.start(), std::runtime_error);
}

TEST_F(HttpServerTest, StopClosesOpenConnections) {
  start();
  Client c(port());
  ASSERT_TRUE(c.request(http::verb::get, "/hello"));
  server_->stop();
  bool closed = false;
  c.read_until_close(&closed);
  EXPECT_TRUE(closed);
  for (int i = 0; i < 100 && server_->connection_count() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_THROW(Client{port()}, boost::system::system_error);
}

TEST_F(HttpServerTest, UpgradeRequestIsHandedOver) {
  std::atomic<bool> got{false};
  start({}, [&](HttpServer& s) {
    s.set_upgrade_handler("/rtc", [&](HttpRequest req, std::unique_ptr<UpgradedConnection> conn) {
      got = req.header("sec-websocket-key") == "dGhlIHNhbXBsZSBub25jZQ==" &&
            conn->request.target() == "/rtc?token=abc" && req.query["token"] == "abc";
      const std::string reply = "HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded";
      beast::error_code ec;
      net::write(conn->stream.socket(), net::buffer(reply), ec);
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
  auto r = plain.request(http::verb::get, "/rtc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
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
        auto r = (i % 5 == 4) ? c.request(http::verb::post, "/slow", body) : c.request(http::verb::post, "/echo", body);
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

TEST(HttpTypes, PercentDecode) {
  std::string out;
  EXPECT_TRUE(percent_decode("/a%20b/%2e%2E", out));
  EXPECT_EQ(out, "/a b/..");
  EXPECT_TRUE(percent_decode("a+b", out));
  EXPECT_EQ(out, "a+b");
  EXPECT_TRUE(percent_decode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  EXPECT_FALSE(percent_decode("%", out));
  EXPECT_FALSE(percent_decode("%4", out));
  EXPECT_FALSE(percent_decode("%zz", out));
  EXPECT_FALSE(percent_decode("a%00b", out));
  EXPECT_TRUE(percent_decode("", out));
  EXPECT_EQ(out, "");
}

TEST(HttpTypes, ResponseFactoriesAndReasons) {
  auto t = HttpResponse::text(404, "nope");
  EXPECT_EQ(t.status, 404);
  EXPECT_EQ(t.content_type, "text/plain; charset=utf-8");
  auto j = HttpResponse::json(200, "{}");
  EXPECT_EQ(j.content_type, "application/json");
  EXPECT_STREQ(http_reason(413), "Content Too Large");
  EXPECT_STREQ(http_reason(299), "");
}

}  // namespace
}  // namespace ct::signal
