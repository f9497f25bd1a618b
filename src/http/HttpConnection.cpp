#include "http/HttpConnection.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <string_view>
#include <vector>

#include "core/Log.hpp"
#include "http/MimeTypes.hpp"
#include "http/RequestTarget.hpp"
#include "http/WebSocketUpgrade.hpp"

namespace ct::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kServerName = "CipherTalk";
// Headers a browser may read from a cross-origin route response; WHIP clients
// need Location (RFC 9725 §4.2) and may use ETag and Link.
constexpr std::string_view kExposeHeaders = "Location, ETag, Link";
constexpr std::string_view kDefaultAllowHeaders = "Content-Type, Authorization, If-Match";
// After a response that closes the connection we keep reading (and dropping)
// for a while, so unread request bytes do not turn our close into a reset that
// would destroy the response before the client reads it.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerMaxBytes = 1 << 20;

// Beast 1.74 speaks boost::string_view; the rest of CipherTalk std::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = to_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

// True when the comma-separated token list `list` holds `token` (RFC 9110 §5.6.1).
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// A header name or value we put on the wire must not be able to end the line.
bool header_safe(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// Access-Control-Request-Headers is echoed back only if it is a plain token list.
bool token_list_safe(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == ',' || c == ' ';
    if (!ok) return false;
  }
  return s.size() <= 512;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// RFC 6455 §4.2.1: GET with "Upgrade: websocket" and "Connection: Upgrade".
bool is_upgrade(const HttpRequest& r) {
  return has_token(r.header("upgrade"), "websocket") && has_token(r.header("connection"), "upgrade");
}

}  // namespace

HttpConnection::HttpConnection(std::shared_ptr<HttpSite> site, tcp::socket socket)
    : site_(std::move(site)), stream_(std::move(socket)), response_timer_(stream_.get_executor()) {
  beast::error_code ec;
  const auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ip_ = remote.address().to_string();
}

HttpConnection::~HttpConnection() { site_->connections.remove(id_); }

void HttpConnection::start() {
  id_ = site_->connections.add(weak_from_this());
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
}

void HttpConnection::close() {
  if (closed_) return;
  closed_ = true;
  pending_seq_ = 0;
  response_timer_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

void HttpConnection::on_response(uint64_t seq, HttpResponse response) {
  if (closed_ || seq == 0 || seq != pending_seq_) return;  // late, or the connection is gone
  pending_seq_ = 0;
  response_timer_.cancel();
  send(std::move(response));
}

void HttpConnection::read_header() {
  if (closed_) return;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(config().max_header_bytes));
  parser_->body_limit(config().max_body_bytes);
  stream_.expires_after(config().idle_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void HttpConnection::on_header(const beast::error_code& ec) {
  if (ec) return on_read_error(ec);
  const auto& req = parser_->get();
  // RFC 9110 §10.1.1: a client that waits for 100 (curl does for larger
  // bodies) gets it, so it does not stall before sending the body.
  if (!parser_->is_done() && has_token(sv(req[bhttp::field::expect]), "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(config().idle_timeout);
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code wec, size_t) {
                       if (wec) return self->close();
                       self->read_body();
                     });
    return;
  }
  read_body();
}

void HttpConnection::read_body() {
  if (closed_) return;
  if (parser_->is_done()) return on_request();
  stream_.expires_after(config().idle_timeout);
  bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->on_read_error(ec);
    self->on_request();
  });
}

void HttpConnection::on_read_error(const beast::error_code& ec) {
  if (closed_ || ec == net::error::operation_aborted) return;
  started_ = std::chrono::steady_clock::now();
  method_ = "-";
  target_ = "-";
  if (parser_ && parser_->is_header_done()) {
    method_ = std::string(sv(parser_->get().method_string()));
    target_ = std::string(sv(parser_->get().target()));
  }
  keep_alive_ = false;
  head_ = false;
  cors_ = false;
  version_ = 11;
  if (ec == bhttp::error::body_limit) {
    // The body is not read, so the connection cannot go on (RFC 9110 §15.5.14).
    // JSON like every error of the API, WHIP and WHEP, which are the routes that take bodies.
    return send(
        HttpResponse::json(413, R"({"code":"body_too_large","message":"the request body is larger than )" +
                                    std::to_string(config().max_body_bytes) + R"( bytes"})"));
  }
  if (ec == bhttp::error::header_limit) {
    return send(HttpResponse::text(431, "request header too large\n"));
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == beast::error::timeout || ec == net::error::eof ||
      ec.category() != bhttp::make_error_code(bhttp::error::bad_target).category()) {
    // A clean close, a timeout, or a transport error: nothing to answer.
    return close();
  }
  spdlog::debug("http {} malformed request: {}", remote_ip_, ec.message());
  send(HttpResponse::text(400, "malformed request\n"));
}

void HttpConnection::on_request() {
  started_ = std::chrono::steady_clock::now();
  auto& req = parser_->get();
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  method_ = std::string(req.method_string());
  target_ = std::string(req.target());
  head_ = req.method() == bhttp::verb::head;
  cors_ = false;

  HttpRequest request;
  request.method = method_;
  request.remote_ip = remote_ip_;
  if (!parse_request_target(sv(req.target()), request)) {
    keep_alive_ = false;
    return send(HttpResponse::text(400, "bad request target\n"));
  }
  for (const auto& field : req) {
    auto name = lower(sv(field.name_string()));
    auto [it, inserted] = request.headers.try_emplace(std::move(name), std::string(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += sv(field.value());
    }
  }

  const HttpRoutes& routes = site_->routes;
  if (req.method() == bhttp::verb::get && is_upgrade(request)) {
    if (const auto* upgrade = routes.upgrade_for(request.path))
      return hand_over(std::move(request), *upgrade);
  }

  if (req.method() == bhttp::verb::options) return answer_options(request);

  const RouteMatch m = routes.match(method_, request.path);
  if (m.path_known) {
    cors_ = true;
    if (m.handler == nullptr) {
      auto r = HttpResponse::text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", join(m.methods, ", "));
      return send(std::move(r));
    }
    request.body = std::move(req.body());
    return call_handler(*m.handler, std::move(request));
  }

  if (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head) {
    return serve_static(request.path);
  }
  if (site_->static_files && site_->static_files->resolve(request.path)) {
    auto r = HttpResponse::text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return send(std::move(r));
  }
  send(HttpResponse::text(404, "not found\n"));
}

void HttpConnection::hand_over(HttpRequest request, const UpgradeHandler& handler) {
  log_request(101, 0);
  stream_.expires_never();
  // The buffer goes along: it holds whatever the client sent behind the
  // request (its first WebSocket frames), which the WebSocket must read first.
  auto conn = std::make_unique<UpgradedConnection>(
      UpgradedConnection{ReadAheadStream(std::move(stream_), std::move(buffer_)), parser_->release()});
  closed_ = true;  // this connection no longer owns the socket
  try {
    handler(std::move(request), std::move(conn));
  } catch (const std::exception& e) {
    spdlog::warn("http upgrade handler failed: {}", e.what());
  }
}

// CORS preflight (Fetch standard, "CORS protocol") for routes; a plain Allow
// answer for everything else.
void HttpConnection::answer_options(const HttpRequest& request) {
  const auto m = site_->routes.match("OPTIONS", request.path);
  if (!m.path_known) {
    auto r = HttpResponse::empty(204);
    r.headers.emplace_back("Allow", "GET, HEAD, OPTIONS");
    return send(std::move(r));
  }
  auto methods = m.methods;
  methods.emplace_back("OPTIONS");
  const auto allow = join(methods, ", ");
  auto r = HttpResponse::empty(204);
  r.headers.emplace_back("Allow", allow);
  r.headers.emplace_back("Access-Control-Allow-Methods", allow);
  const auto& asked = request.header("access-control-request-headers");
  r.headers.emplace_back("Access-Control-Allow-Headers", !asked.empty() && token_list_safe(asked)
                                                             ? asked
                                                             : std::string(kDefaultAllowHeaders));
  r.headers.emplace_back("Access-Control-Max-Age", "86400");
  cors_ = true;
  send(std::move(r));
}

void HttpConnection::call_handler(const Handler& handler, HttpRequest request) {
  const uint64_t seq = ++next_seq_;
  pending_seq_ = seq;
  response_timer_.expires_after(config().response_timeout);
  response_timer_.async_wait([self = shared_from_this(), seq](const beast::error_code& ec) {
    if (ec || self->pending_seq_ != seq) return;
    spdlog::warn("http {} {} got no answer in time", self->method_, self->target_);
    self->on_response(seq, HttpResponse::text(504, "no answer in time\n"));
  });

  // Shared by every copy of the Responder: the first call wins; a Responder
  // that dies uncalled answers 500 instead of leaving the client waiting.
  struct State {
    std::weak_ptr<HttpConnection> connection;
    net::any_io_executor executor;
    uint64_t seq = 0;
    std::atomic<bool> done{false};

    void complete(HttpResponse r) {
      if (done.exchange(true)) return;
      if (auto c = connection.lock()) {
        net::post(executor, [c = std::move(c), seq = seq, r = std::move(r)]() mutable {
          c->on_response(seq, std::move(r));
        });
      }
    }
    ~State() {
      if (!done.load()) {
        try {
          complete(HttpResponse::text(500, "request dropped\n"));
        } catch (...) {  // destructor: never throw
        }
      }
    }
  };
  auto state = std::make_shared<State>();
  state->connection = weak_from_this();
  state->executor = stream_.get_executor();
  state->seq = seq;
  Responder responder = [state](HttpResponse r) { state->complete(std::move(r)); };

  try {
    handler(std::move(request), responder);
  } catch (const std::exception& e) {
    spdlog::warn("http handler for {} {} threw: {}", method_, target_, e.what());
    responder(HttpResponse::text(500, "internal error\n"));
  }
}

void HttpConnection::serve_static(const std::string& path) {
  if (StaticFiles::has_dot_dot(path)) return send(HttpResponse::text(400, "bad path\n"));
  const auto file = site_->static_files ? site_->static_files->resolve(path) : std::nullopt;
  if (!file) return send(HttpResponse::text(404, "not found\n"));

  beast::error_code ec;
  bhttp::file_body::value_type body;
  body.open(file->c_str(), beast::file_mode::scan, ec);
  if (ec) return send(HttpResponse::text(404, "not found\n"));
  const auto size = body.size();
  const auto type = mime_type_for(file->native());
  const bool html = type.starts_with("text/html");

  auto decorate = [&](auto& res) {
    res.set(bhttp::field::server, bsv(kServerName));
    res.set(bhttp::field::content_type, bsv(type));
    res.set("X-Content-Type-Options", "nosniff");
    // HTML must be revalidated so a new release is picked up.
    if (html) res.set(bhttp::field::cache_control, "no-cache");
    res.content_length(size);
    res.keep_alive(keep_alive_);
  };
  log_request(200, size);
  if (head_) {
    bhttp::response<bhttp::empty_body> res{bhttp::status::ok, version_};
    decorate(res);
    return write(std::move(res));
  }
  bhttp::response<bhttp::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(bhttp::status::ok, version_)};
  decorate(res);
  write(std::move(res));
}

void HttpConnection::send(HttpResponse r) {
  const int status = r.status;
  const bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version_};
  res.reason(http_reason(status));
  res.set(bhttp::field::server, bsv(kServerName));
  if (!no_body && !r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) {
    if (name.empty() || !header_safe(name) || !header_safe(value)) {
      spdlog::warn("http dropped an unsafe response header for {} {}", method_, target_);
      continue;
    }
    res.insert(name, value);
  }
  if (cors_ && r.cross_origin) {
    res.set(bhttp::field::access_control_allow_origin, "*");
    res.set(bhttp::field::access_control_expose_headers, bsv(kExposeHeaders));
  }
  // Errors that leave unread input behind end the connection.
  const bool force_close = status == 400 || status == 413 || status == 431;
  res.keep_alive(keep_alive_ && !force_close);
  const size_t size = no_body ? 0 : r.body.size();
  if (!no_body) {
    res.content_length(size);
    if (!head_) res.body() = std::move(r.body);
  }
  log_request(status, size);
  write(std::move(res));
}

template <class Body>
void HttpConnection::write(bhttp::response<Body>&& res) {
  auto held = std::make_shared<bhttp::response<Body>>(std::move(res));
  const bool close_after = !held->keep_alive();
  stream_.expires_after(config().idle_timeout);
  bhttp::async_write(stream_, *held,
                     [self = shared_from_this(), held, close_after](beast::error_code ec, size_t) {
                       if (ec) return self->close();
                       if (close_after) return self->linger_close();
                       self->read_header();
                     });
}

void HttpConnection::linger_close() {
  if (closed_) return;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(kLingerTime);
  drain();
}

void HttpConnection::drain() {
  stream_.async_read_some(net::buffer(drain_buf_),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kLingerMaxBytes) return self->close();
                            self->drain();
                          });
}

void HttpConnection::log_request(int status, size_t bytes) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  const auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  spdlog::debug("http {} {} {} -> {} {}B {:.1f}ms", remote_ip_, method_, target_, status, bytes, ms);
}

}  // namespace ct::http
