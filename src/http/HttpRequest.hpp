#pragma once
// One HTTP request as a route handler sees it: decoded path and query, headers
// by lower-case name, the body. No Beast types, so handler code stays cheap to
// compile.
#include <map>
#include <string>

namespace ct::http {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ... as sent
  std::string path;                            // percent-decoded, without the query
  std::map<std::string, std::string> query;    // decoded; the last value wins
  std::map<std::string, std::string> headers;  // lower-case names; repeats joined by ", "
  std::string body;
  std::string remote_ip;

  // Header value by lower-case name, or "" when absent.
  const std::string& header(const std::string& lower_name) const;
};

}  // namespace ct::http
