// libFuzzer target: StunUri::parse. Whatever parses prints back to a URI that
// parses to the same thing (the form handed to browsers is the one checked).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stun/StunUri.hpp"

using ct::stun::StunUri;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = StunUri::parse(text);
  auto* uri = std::get_if<StunUri>(&parsed);
  if (!uri) return 0;
  if (uri->host().empty() || uri->port() == 0) std::abort();
  if (!uri->is_turn() && uri->transport() != StunUri::Transport::Default) std::abort();
  const std::string printed = uri->to_string();
  auto again = StunUri::parse(printed);
  auto* same = std::get_if<StunUri>(&again);
  if (!same || same->to_string() != printed || same->port() != uri->port() || same->host() != uri->host())
    std::abort();
  return 0;
}
