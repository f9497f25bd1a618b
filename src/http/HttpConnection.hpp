#pragma once
// One HTTP/1.1 connection: reads a request, answers it (now, or later through
// a Responder), then reads the next; hands the connection over on a WebSocket
// upgrade. Lives on its own strand. Internal to the server; Beast is here.
#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/HttpHandler.hpp"
#include "http/HttpSite.hpp"

namespace ct::http {

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(std::shared_ptr<HttpSite> site, boost::asio::ip::tcp::socket socket);
  ~HttpConnection();

  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Registers with the site and starts reading.
  void start();

  // Closes the socket at once. Called on the strand.
  void close();

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

  // A Responder's answer arriving on the strand; `seq` names the request it
  // answers, so a late answer (after a 504, or for a closed connection) is dropped.
  void on_response(uint64_t seq, HttpResponse response);

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  const HttpServerConfig& config() const { return site_->config; }

  void read_header();
  void on_header(const boost::beast::error_code& ec);
  void read_body();
  void on_read_error(const boost::beast::error_code& ec);
  void on_request();
  void hand_over(HttpRequest request, const UpgradeHandler& handler);
  void answer_options(const HttpRequest& request);
  void call_handler(const Handler& handler, HttpRequest request);
  void serve_static(const std::string& path);
  void send(HttpResponse response);
  template <class Body>
  void write(boost::beast::http::response<Body>&& response);
  void linger_close();
  void drain();
  void log_request(int status, size_t bytes);

  std::shared_ptr<HttpSite> site_;
  boost::beast::tcp_stream stream_;
  boost::asio::steady_timer response_timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::string remote_ip_;
  uint64_t id_ = 0;  // in site_->connections, once started
  uint64_t next_seq_ = 0;
  uint64_t pending_seq_ = 0;  // nonzero while a handler owes the answer
  bool closed_ = false;

  // The request being answered.
  std::string method_;
  std::string target_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool cors_ = false;
  std::chrono::steady_clock::time_point started_;

  std::array<char, 2048> drain_buf_{};
  size_t drained_ = 0;
};

}  // namespace ct::http
