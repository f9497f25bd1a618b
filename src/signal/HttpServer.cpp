#include "signal/HttpServer.hpp"

#include "core/Log.hpp"
#include "signal/HttpUpgrade.hpp"
#include "signal/MimeTypes.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace ct::signal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace fs = std::filesystem;
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
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

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
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == ',' || c == ' ';
    if (!ok) return false;
  }
  return s.size() <= 512;
}

bool is_within(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

struct Route {
  std::string method;
  std::string path;
  bool prefix = false;
  Handler handler;
};

struct RouteMatch {
  const Handler* handler = nullptr;
  bool path_known = false;
  std::vector<std::string> methods;  // every method the path answers to
};

}  // namespace

class HttpSession;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(net::io_context& io_context, HttpServerConfig cfg)
      : io(io_context), config(std::move(cfg)), acceptor(io_context), accept_retry(io_context) {}

  RouteMatch match(std::string_view method, std::string_view path) const;
  void accept_next();  // with accept_mutex held
  void on_accept(const beast::error_code& ec, tcp::socket socket);
  void refuse_busy(tcp::socket socket);

  net::io_context& io;
  const HttpServerConfig config;
  std::vector<Route> routes;  // fixed once started
  std::unordered_map<std::string, UpgradeHandler> upgrades;
  std::optional<fs::path> static_root;  // canonical

  // Asio objects are not safe for concurrent use; stop() may come from any
  // thread, so every acceptor operation happens under this mutex.
  std::mutex accept_mutex;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  bool started = false;
  bool stopped = false;
  std::atomic<uint16_t> bound_port{0};

  std::atomic<size_t> connections{0};
  std::mutex sessions_mutex;
  uint64_t next_session_id = 1;
  std::unordered_map<uint64_t, std::weak_ptr<HttpSession>> sessions;
};

// One HTTP/1.1 connection: reads a request, answers it (now or later through a
// Responder), then reads the next. Lives on its own strand.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<HttpServer::Impl> server, tcp::socket socket)
      : server_(std::move(server)),
        stream_(std::move(socket)),
        response_timer_(stream_.get_executor()) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = remote.address().to_string();
    ++server_->connections;
  }

  ~HttpSession() {
    --server_->connections;
    std::lock_guard lock(server_->sessions_mutex);
    server_->sessions.erase(id_);
  }

  void start() {
    {
      std::lock_guard lock(server_->sessions_mutex);
      id_ = server_->next_session_id++;
      server_->sessions.emplace(id_, weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Called on the strand.
  void close() {
    if (closed_) return;
    closed_ = true;
    pending_seq_ = 0;
    response_timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  // A Responder's answer arriving on the strand.
  void on_response(uint64_t seq, HttpResponse response) {
    if (closed_ || seq == 0 || seq != pending_seq_) return;  // late, or the connection is gone
    pending_seq_ = 0;
    response_timer_.cancel();
    send(std::move(response));
  }

 private:
  const HttpServerConfig& config() const { return server_->config; }

  void read_header() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(config().max_header_bytes));
    parser_->body_limit(config().max_body_bytes);
    stream_.expires_after(config().idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(const beast::error_code& ec) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    // RFC 9110 §10.1.1: a client that waits for 100 (curl does for larger
    // bodies) gets it, so it does not stall before sending the body.
    if (!parser_->is_done() && has_token(sv(req[http::field::expect]), "100-continue")) {
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

  void read_body() {
    if (closed_) return;
    if (parser_->is_done()) return on_request();
    stream_.expires_after(config().idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->on_read_error(ec);
                       self->on_request();
                     });
  }

  void on_read_error(const beast::error_code& ec) {
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
    if (ec == http::error::body_limit) {
      // The body is not read, so the connection cannot go on (RFC 9110 §15.5.14).
      return send(HttpResponse::text(413, "request body too large\n"));
    }
    if (ec == http::error::header_limit) {
      return send(HttpResponse::text(431, "request header too large\n"));
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == beast::error::timeout || ec == net::error::eof ||
        ec.category() != http::make_error_code(http::error::bad_target).category()) {
      // A clean close, a timeout, or a transport error: nothing to answer.
      return close();
    }
    spdlog::debug("http {} malformed request: {}", remote_ip_, ec.message());
    send(HttpResponse::text(400, "malformed request\n"));
  }

  void on_request() {
    started_ = std::chrono::steady_clock::now();
    auto& req = parser_->get();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    method_ = std::string(req.method_string());
    target_ = std::string(req.target());
    head_ = req.method() == http::verb::head;
    cors_ = false;

    HttpRequest request;
    request.method = method_;
    request.remote_ip = remote_ip_;
    if (!parse_target(sv(req.target()), request)) {
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

    if (req.method() == http::verb::get && is_upgrade(request)) {
      const auto up = server_->upgrades.find(request.path);
      if (up != server_->upgrades.end()) return hand_over(std::move(request), up->second);
    }

    const auto& srv = *server_;
    if (req.method() == http::verb::options) return answer_options(request);

    const RouteMatch m = srv.match(method_, request.path);
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

    if (req.method() == http::verb::get || req.method() == http::verb::head) {
      return serve_static(request.path);
    }
    if (srv.static_root && resolve_static(request.path)) {
      auto r = HttpResponse::text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return send(std::move(r));
    }
    send(HttpResponse::text(404, "not found\n"));
  }

  // Splits origin-form "path?query" (RFC 9112 §3.2.1) and decodes both parts.
  static bool parse_target(std::string_view target, HttpRequest& out) {
    if (target.empty() || target.front() != '/') return false;
    const auto q = target.find('?');
    if (!percent_decode(target.substr(0, q), out.path)) return false;
    if (q == std::string_view::npos) return true;
    auto query = target.substr(q + 1);
    const auto hash = query.find('#');
    if (hash != std::string_view::npos) query = query.substr(0, hash);
    std::string key;
    std::string value;
    while (!query.empty()) {
      const auto amp = query.find('&');
      const auto pair = query.substr(0, amp);
      if (!pair.empty()) {
        const auto eq = pair.find('=');
        if (!percent_decode(pair.substr(0, eq), key, true)) return false;
        if (eq == std::string_view::npos) {
          value.clear();
        } else if (!percent_decode(pair.substr(eq + 1), value, true)) {
          return false;
        }
        out.query[key] = value;
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
    return true;
  }

  // RFC 6455 §4.2.1: GET with "Upgrade: websocket" and "Connection: Upgrade".
  static bool is_upgrade(const HttpRequest& r) {
    return has_token(r.header("upgrade"), "websocket") && has_token(r.header("connection"), "upgrade");
  }

  void hand_over(HttpRequest request, const UpgradeHandler& handler) {
    log_request(101, 0);
    stream_.expires_never();
    auto conn = std::make_unique<UpgradedConnection>(
        UpgradedConnection{std::move(stream_), parser_->release(), std::move(buffer_)});
    closed_ = true;  // this session no longer owns the socket
    try {
      handler(std::move(request), std::move(conn));
    } catch (const std::exception& e) {
      spdlog::warn("http upgrade handler failed: {}", e.what());
    }
  }

  // CORS preflight (Fetch standard, "CORS protocol") for routes; a plain Allow
  // answer for everything else.
  void answer_options(const HttpRequest& request) {
    const auto m = server_->match("OPTIONS", request.path);
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
    r.headers.emplace_back("Access-Control-Allow-Headers",
                           !asked.empty() && token_list_safe(asked) ? asked
                                                                    : std::string(kDefaultAllowHeaders));
    r.headers.emplace_back("Access-Control-Max-Age", "86400");
    cors_ = true;
    send(std::move(r));
  }

  void call_handler(const Handler& handler, HttpRequest request) {
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
      std::weak_ptr<HttpSession> session;
      net::any_io_executor executor;
      uint64_t seq = 0;
      std::atomic<bool> done{false};

      void complete(HttpResponse r) {
        if (done.exchange(true)) return;
        if (auto s = session.lock()) {
          net::post(executor, [s = std::move(s), seq = seq, r = std::move(r)]() mutable {
            s->on_response(seq, std::move(r));
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
    state->session = weak_from_this();
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

  // The canonical file for a request path, or nothing when it is not a regular
  // file inside the static root. Rejects ".." before touching the file system,
  // and checks the canonical result so symlinks cannot lead outside the root.
  std::optional<fs::path> resolve_static(const std::string& path) const {
    const auto& root = server_->static_root;
    if (!root || path.empty() || path.front() != '/') return std::nullopt;
    fs::path full = *root;
    size_t pos = 1;
    while (pos <= path.size()) {
      auto end = path.find('/', pos);
      if (end == std::string::npos) end = path.size();
      const std::string_view seg(path.data() + pos, end - pos);
      if (seg == "..") return std::nullopt;
      if (!seg.empty() && seg != ".") full /= seg;
      pos = end + 1;
    }
    std::error_code ec;
    auto canon = fs::canonical(full, ec);
    if (ec) return std::nullopt;
    if (fs::is_directory(canon, ec)) canon = fs::canonical(canon / "index.html", ec);
    if (ec || !is_within(canon, *root) || !fs::is_regular_file(canon, ec)) return std::nullopt;
    return canon;
  }

  static bool has_dot_dot(std::string_view path) {
    size_t pos = 0;
    while (pos <= path.size()) {
      auto end = path.find('/', pos);
      if (end == std::string_view::npos) end = path.size();
      if (path.substr(pos, end - pos) == "..") return true;
      pos = end + 1;
    }
    return false;
  }

  void serve_static(const std::string& path) {
    if (has_dot_dot(path)) return send(HttpResponse::text(400, "bad path\n"));
    const auto file = resolve_static(path);
    if (!file) return send(HttpResponse::text(404, "not found\n"));

    beast::error_code ec;
    http::file_body::value_type body;
    body.open(file->c_str(), beast::file_mode::scan, ec);
    if (ec) return send(HttpResponse::text(404, "not found\n"));
    const auto size = body.size();
    const auto type = mime_type_for(file->native());
    const bool html = type.starts_with("text/html");

    auto decorate = [&](auto& res) {
      res.set(http::field::server, bsv(kServerName));
      res.set(http::field::content_type, bsv(type));
      res.set("X-Content-Type-Options", "nosniff");
      // The client's HTML must be revalidated so a new release is picked up.
      if (html) res.set(http::field::cache_control, "no-cache");
      res.content_length(size);
      res.keep_alive(keep_alive_);
    };
    log_request(200, size);
    if (head_) {
      http::response<http::empty_body> res{http::status::ok, version_};
      decorate(res);
      return write(std::move(res));
    }
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, version_)};
    decorate(res);
    write(std::move(res));
  }

  void send(HttpResponse r) {
    const int status = r.status;
    const bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
    http::response<http::string_body> res{static_cast<http::status>(status), version_};
    res.reason(http_reason(status));
    res.set(http::field::server, bsv(kServerName));
    if (!no_body && !r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) {
      if (name.empty() || !header_safe(name) || !header_safe(value)) {
        spdlog::warn("http dropped an unsafe response header for {} {}", method_, target_);
        continue;
      }
      res.insert(name, value);
    }
    if (cors_ && r.cross_origin) {
      res.set(http::field::access_control_allow_origin, "*");
      res.set(http::field::access_control_expose_headers, bsv(kExposeHeaders));
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
  void write(http::response<Body>&& res) {
    auto held = std::make_shared<http::response<Body>>(std::move(res));
    const bool close_after = !held->keep_alive();
    stream_.expires_after(config().idle_timeout);
    http::async_write(stream_, *held,
                      [self = shared_from_this(), held, close_after](beast::error_code ec, size_t) {
                        if (ec) return self->close();
                        if (close_after) return self->linger_close();
                        self->read_header();
                      });
  }

  void linger_close() {
    if (closed_) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buf_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kLingerMaxBytes) return self->close();
      self->drain();
    });
  }

  void log_request(int status, size_t bytes) {
    if (!spdlog::should_log(spdlog::level::debug)) return;
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
    spdlog::debug("http {} {} {} -> {} {}B {:.1f}ms", remote_ip_, method_, target_, status, bytes, ms);
  }

  std::shared_ptr<HttpServer::Impl> server_;
  beast::tcp_stream stream_;
  net::steady_timer response_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_ip_;
  uint64_t id_ = 0;
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

RouteMatch HttpServer::Impl::match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  auto add_method = [&](const std::string& name) {
    if (std::find(m.methods.begin(), m.methods.end(), name) == m.methods.end()) m.methods.push_back(name);
  };
  // An exact path wins over every prefix; among prefixes the longest one that
  // has the method wins. HEAD is answered by a GET route when there is no HEAD
  // route (RFC 9110 §9.3.2).
  for (const bool prefix : {false, true}) {
    const Route* best = nullptr;
    const Route* best_get = nullptr;
    for (const auto& r : routes) {
      if (r.prefix != prefix) continue;
      if (prefix ? !path.starts_with(r.path) : r.path != path) continue;
      m.path_known = true;
      add_method(r.method);
      if (r.method == method && (best == nullptr || r.path.size() > best->path.size())) best = &r;
      if (r.method == "GET" && (best_get == nullptr || r.path.size() > best_get->path.size())) best_get = &r;
    }
    if (best == nullptr && method == "HEAD") best = best_get;
    if (best != nullptr) m.handler = &best->handler;
    if (m.path_known) break;
  }
  return m;
}

void HttpServer::Impl::accept_next() {
  acceptor.async_accept(net::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    self->on_accept(ec, std::move(s));
  });
}

void HttpServer::Impl::on_accept(const beast::error_code& ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  std::lock_guard lock(accept_mutex);
  if (stopped) return;
  if (ec) {
    // Out of descriptors or memory: wait a little instead of spinning.
    spdlog::warn("http accept failed: {}", ec.message());
    accept_retry.expires_after(kAcceptRetryDelay);
    accept_retry.async_wait([self = shared_from_this()](const beast::error_code& wec) {
      if (wec) return;
      std::lock_guard relock(self->accept_mutex);
      if (!self->stopped) self->accept_next();
    });
    return;
  }
  if (connections.load() >= config.max_connections) {
    refuse_busy(std::move(socket));
  } else {
    std::make_shared<HttpSession>(shared_from_this(), std::move(socket))->start();
  }
  accept_next();
}

void HttpServer::Impl::refuse_busy(tcp::socket socket) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\n"
      "Server: CipherTalk\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: 21\r\n"
      "Retry-After: 1\r\n"
      "Connection: close\r\n"
      "\r\n"
      "too many connections\n";
  spdlog::debug("http refused a connection: {} open", connections.load());
  auto sock = std::make_shared<tcp::socket>(std::move(socket));
  net::async_write(*sock, net::buffer(kBusy.data(), kBusy.size()), [sock](beast::error_code, size_t) {
    beast::error_code ignored;
    sock->shutdown(tcp::socket::shutdown_both, ignored);
    sock->close(ignored);
  });
}

HttpServer::HttpServer(net::io_context& io, HttpServerConfig config)
    : impl_(std::make_shared<Impl>(io, std::move(config))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::add_route(std::string method, std::string path, Handler handler) {
  impl_->routes.push_back(Route{std::move(method), std::move(path), false, std::move(handler)});
}

void HttpServer::add_prefix_route(std::string method, std::string prefix, Handler handler) {
  impl_->routes.push_back(Route{std::move(method), std::move(prefix), true, std::move(handler)});
}

void HttpServer::set_upgrade_handler(std::string path, UpgradeHandler handler) {
  impl_->upgrades[std::move(path)] = std::move(handler);
}

void HttpServer::start() {
  auto& s = *impl_;
  std::lock_guard lock(s.accept_mutex);
  if (s.started) throw std::logic_error("HttpServer::start called twice");

  if (!s.config.static_root.empty()) {
    std::error_code fec;
    auto root = fs::canonical(s.config.static_root, fec);
    if (fec || !fs::is_directory(root, fec)) {
      throw std::runtime_error("HTTP static root '" + s.config.static_root + "' is not a readable directory");
    }
    s.static_root = std::move(root);
  }

  const auto where = s.config.bind_address + ":" + std::to_string(s.config.port);
  beast::error_code ec;
  const auto address = net::ip::make_address(s.config.bind_address, ec);
  if (ec) throw std::runtime_error("HTTP bind address '" + s.config.bind_address + "' is not an IP address");
  const tcp::endpoint endpoint(address, s.config.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    throw std::runtime_error("cannot listen for HTTP on " + where + ": " + ec.message());
  }
  s.bound_port = s.acceptor.local_endpoint(ec).port();
  s.started = true;
  s.accept_next();
  spdlog::info("HTTP listening on {}:{}{}", s.config.bind_address, s.bound_port.load(),
               s.static_root ? ", static files from " + s.static_root->string() : std::string());
}

uint16_t HttpServer::port() const { return impl_->bound_port.load(); }

size_t HttpServer::connection_count() const { return impl_->connections.load(); }

void HttpServer::stop() {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.accept_mutex);
    if (s.stopped) return;
    s.stopped = true;
    beast::error_code ignored;
    s.accept_retry.cancel();
    s.acceptor.close(ignored);
  }
  std::vector<std::shared_ptr<HttpSession>> open;
  {
    std::lock_guard lock(s.sessions_mutex);
    for (auto& [id, weak] : s.sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) {
    net::post(session->executor(), [session] { session->close(); });
  }
}

}  // namespace ct::signal
