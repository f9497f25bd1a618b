#pragma once
// Value types exchanged between the HTTP front door and its route handlers.
// They carry no Beast types so that handler code stays cheap to compile.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ct::signal {

struct HttpRequest {
  std::string method;                             // "GET", "POST", ... as sent
  std::string path;                               // percent-decoded, without the query
  std::map<std::string, std::string> query;       // decoded; the last value wins
  std::map<std::string, std::string> headers;     // lower-case names; repeats joined by ", "
  std::string body;
  std::string remote_ip;

  // Header value by lower-case name, or "" when absent.
  const std::string& header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, sent as given
  // Routes answer with CORS headers so pages on other origins can use the API;
  // false keeps a response from them (e.g. /metrics: for Prometheus, not pages).
  bool cross_origin = true;

  static HttpResponse text(int status, std::string body);
  static HttpResponse json(int status, std::string body);
  // Status with an empty body (e.g. 204).
  static HttpResponse empty(int status);
};

// Completes one request. Thread-safe: may be called from any thread, once; the
// response is posted back to the connection's executor. A second call is
// ignored. A Responder destroyed without being called answers 500, so a
// handler that drops a request never leaves the client hanging.
using Responder = std::function<void(HttpResponse)>;

// Runs on the server's thread; must not block. Slow work (e.g. an SDP answer
// from a media worker) keeps the Responder and calls it later.
using Handler = std::function<void(HttpRequest, Responder)>;

// Short reason phrase for a status code ("Not Found"), "" if unknown.
const char* http_reason(int status);

// Decodes %XX escapes (and '+' as space when `plus_as_space`). Returns false on
// a malformed escape or a decoded NUL byte.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space = false);

}  // namespace ct::signal
