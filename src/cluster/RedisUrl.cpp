#include "cluster/RedisUrl.hpp"

#include <charconv>

namespace ct::cluster {

namespace {

template <class T>
std::optional<T> number(std::string_view s, T max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return T(v);
}

}  // namespace

std::optional<RedisUrl> RedisUrl::parse(std::string_view text) {
  constexpr std::string_view kScheme = "redis://";
  if (!text.starts_with(kScheme)) return std::nullopt;
  std::string_view rest = text.substr(kScheme.size());
  RedisUrl url;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty()) {
      auto n = number<unsigned>(db, 65535);
      if (!n) return std::nullopt;
      url.db = *n;
    }
  }
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    // user:password; Redis before ACLs (and --requirepass) knows only the password.
    auto colon = userinfo.find(':');
    url.password = std::string(colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1));
  }
  std::string_view host = rest;
  if (rest.starts_with('[')) {  // [IPv6]:port
    auto close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    rest = rest.substr(colon);
  } else {
    rest = {};
  }
  if (rest.starts_with(':')) {
    auto port = number<uint16_t>(rest.substr(1), 65535);
    if (!port || *port == 0) return std::nullopt;
    url.port = *port;
  }
  if (host.empty() || host.find_first_of("/?#@[] ") != std::string_view::npos) return std::nullopt;
  url.host = std::string(host);
  return url;
}

std::string RedisUrl::endpoint() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace ct::cluster
