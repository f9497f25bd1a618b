#pragma once
// Where the cluster's Redis is: `redis://[:password@]host[:port][/db]`
// (the scheme of the IANA "redis" URI registration), from --redis or
// cluster.redis.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ct::cluster {

struct RedisUrl {
  std::string host;
  uint16_t port = 6379;
  std::string password;  // empty: no AUTH
  unsigned db = 0;

  // Nothing when the text is not such a URL (wrong scheme, empty host, port
  // out of range, a database number that is not one).
  static std::optional<RedisUrl> parse(std::string_view text);
  // host:port, for logs (never the password).
  std::string endpoint() const;
};

}  // namespace ct::cluster
