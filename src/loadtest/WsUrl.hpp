#pragma once
// The load client's signaling URL: ws://HOST[:PORT][/PATH].
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ct::loadtest {

struct WsUrl {
  std::string host;
  uint16_t port = 80;
  std::string path;  // "/rtc" when the URL has none

  // wss is not supported by the load client.
  static std::optional<WsUrl> parse(std::string_view url);
};

}  // namespace ct::loadtest
