#pragma once
// The HTTP server under test on an ephemeral port with a set of test routes,
// and a blocking-style client whose every wait is bounded.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "http/HttpServer.hpp"
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

namespace ct::http::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using Response = bhttp::response<bhttp::string_body>;

inline std::string field(const Response& r, std::string_view name) {
  return std::string(r[beast::string_view(name.data(), name.size())]);
}

inline void write_file(const fs::path& p, const std::string& content) {
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

  void send(const bhttp::request<bhttp::string_body>& req) {
    beast::error_code ec;
    bhttp::write(socket_, req, ec);
  }

  // One response, or nullopt on close, error or a 5 s timeout.
  std::optional<Response> read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);
    parser.body_limit(16 * 1024 * 1024);
    beast::error_code result;
    bool done = false;
    bhttp::async_read(socket_, buffer_, parser, [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    wait(done);
    if (!done || result) return std::nullopt;
    return parser.release();
  }

  std::optional<Response> request(bhttp::verb verb, std::string target, std::string body = {},
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [n, v] : headers) req.set(n, v);
    if (!body.empty() || verb == bhttp::verb::post) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    send(req);
    return read(verb == bhttp::verb::head);
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
    server_->add_route("GET", "/hello",
                       [](HttpRequest, Responder r) { r(HttpResponse::text(200, "hello\n")); });
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
    server_->add_prefix_route("DELETE", "/echo/",
                              [](HttpRequest req, Responder r) { r(HttpResponse::text(200, req.path)); });
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

}  // namespace ct::http::test
