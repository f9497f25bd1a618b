#include "loadtest/WsUrl.hpp"

namespace ct::loadtest {

std::optional<WsUrl> WsUrl::parse(std::string_view url) {
  constexpr std::string_view scheme = "ws://";
  if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
  url.remove_prefix(scheme.size());
  WsUrl out;
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.path = slash == std::string_view::npos ? "/rtc" : std::string(url.substr(slash));
  if (out.path == "/") out.path = "/rtc";
  if (authority.empty()) return std::nullopt;
  std::string_view host = authority;
  if (authority.front() == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return std::nullopt;
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    authority = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (host.empty()) return std::nullopt;
  out.host = std::string(host);
  if (!authority.empty()) {  // ":port"
    std::string_view digits = authority.substr(1);
    if (digits.empty() || digits.size() > 5) return std::nullopt;
    unsigned port = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      port = port * 10 + unsigned(c - '0');
    }
    if (port == 0 || port > 65535) return std::nullopt;
    out.port = uint16_t(port);
  }
  return out;
}

}  // namespace ct::loadtest
