// libFuzzer target: what the WHIP and WHEP endpoints read from a request
// before a session is touched — their paths (as the server decoded them),
// the session locations they give out (which must parse back), and a PATCH's
// headers and body against one session resource (HttpSdpResource::check_patch,
// Content-Type, Accept, If-Match). The first byte picks which.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "http/RequestTarget.hpp"
#include "signal/HttpSdpResource.hpp"
#include "signal/HttpSdpSessionRegistry.hpp"
#include "signal/WhepEndpoint.hpp"
#include "signal/WhipEndpoint.hpp"

namespace {

using namespace ct;

// A location the server gives out, as the server decodes it when it comes
// back, names the same room, participant and session.
std::string decoded(const std::string& location) {
  std::string path;
  if (!http::percent_decode(location, path)) std::abort();
  return path;
}

// Session ids are the server's own random tokens: letters and digits.
bool session_id(std::string_view s) {
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

void paths(std::string_view input) {
  if (input.find('\0') != std::string_view::npos) return;  // the server decodes no NUL into a path
  if (auto whip = signal::WhipEndpoint::parse_path(input)) {
    if (whip->room.empty() || whip->room.size() > 128) std::abort();
    if (whip->session.size() > signal::HttpSdpSessionRegistry::kSessionIdLength) std::abort();
    if (session_id(whip->session)) {
      auto back = signal::WhipEndpoint::parse_path(
          decoded(signal::WhipEndpoint::location(whip->room, whip->session)));
      if (!back || back->room != whip->room || back->session != whip->session) std::abort();
    }
  }
  if (auto whep = signal::WhepEndpoint::parse_path(input)) {
    if (whep->room.empty() || whep->participant.empty()) std::abort();
    if (session_id(whep->session)) {
      auto back = signal::WhepEndpoint::parse_path(
          decoded(signal::WhepEndpoint::location(whep->room, whep->participant, whep->session)));
      if (!back || back->room != whep->room || back->participant != whep->participant ||
          back->session != whep->session)
        std::abort();
    }
  }
}

// Header values split from the body at the first two newlines.
void patch(std::string_view input) {
  auto line = [&input] {
    size_t nl = input.find('\n');
    std::string value(input.substr(0, nl));
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    return value;
  };
  http::HttpRequest request;
  request.method = "PATCH";
  request.headers["content-type"] = line();
  request.headers["if-match"] = line();
  request.headers["accept"] = request.headers["if-match"];
  request.body = std::string(input);
  (void)signal::HttpSdpResource::accepts(request, signal::HttpSdpResource::kSdpType);
  signal::HttpSdpResource resource("/whip/room/session", "cli1", "clientpassword01234567");
  auto checked = resource.check_patch(request);
  if (auto* refused = std::get_if<http::HttpResponse>(&checked)) {
    // A refusal is a client error with a JSON reason.
    if (refused->status < 400 || refused->status >= 500 || refused->body.empty()) std::abort();
    return;
  }
  if (!signal::HttpSdpResource::has_content_type(request, signal::HttpSdpResource::kFragmentType))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1)
    patch(input);
  else
    paths(input);
  return 0;
}
