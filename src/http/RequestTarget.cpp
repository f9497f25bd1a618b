#include "http/RequestTarget.hpp"

namespace ct::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// RFC 3986 §2.1 percent-encoding; '+' as space only in form-encoded queries.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // needs two hex digits
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out.push_back(c);
  }
  return true;
}

bool parse_request_target(std::string_view target, HttpRequest& out) {
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

}  // namespace ct::http
