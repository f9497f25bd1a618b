#pragma once
// A small blocking HTTP client for the CLI's room service calls (libcurl):
// one request, a Bearer token, a JSON body, the status and body back.
#include <optional>
#include <string>
#include <vector>

namespace ct::app {

struct ApiResponse {
  long status = 0;  // 0: no answer (error says why)
  std::string body;
  std::string error;  // transport failure: refused, timed out, bad URL
};

class ApiClient {
 public:
  // `base_url` like "http://127.0.0.1:7880" (a trailing '/' is dropped).
  ApiClient(std::string base_url, std::string bearer_token, long timeout_seconds = 10);

  // `path` starts with '/'; `json_body` is sent with Content-Type: application/json.
  ApiResponse request(const std::string& method, const std::string& path,
                      const std::optional<std::string>& json_body = std::nullopt) const;

  // A header sent with every request, e.g. "X-Name: value".
  void add_header(std::string header) { extra_headers_.push_back(std::move(header)); }

  // Percent-encodes one path segment (RFC 3986 §3.3: unreserved characters stay).
  static std::string escape_segment(const std::string& segment);

 private:
  std::string base_url_;
  std::string bearer_;
  long timeout_seconds_;
  std::vector<std::string> extra_headers_;
};

}  // namespace ct::app
