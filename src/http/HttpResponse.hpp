#pragma once
// One HTTP response as a route handler gives it. No Beast types.
#include <string>
#include <utility>
#include <vector>

namespace ct::http {

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

// Short reason phrase for a status code ("Not Found"), "" if unknown.
const char* http_reason(int status);

}  // namespace ct::http
