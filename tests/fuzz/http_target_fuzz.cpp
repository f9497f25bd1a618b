// libFuzzer target: the HTTP request-target parser (origin form, RFC 9112
// §3.2.1, with percent-decoding) and the static-file path checks after it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/MimeTypes.hpp"
#include "http/RequestTarget.hpp"
#include "http/StaticFiles.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  ct::http::HttpRequest request;
  if (ct::http::parse_request_target(target, request)) {
    // What the server relies on: an absolute path, and no NUL anywhere.
    if (request.path.empty() || request.path.front() != '/') __builtin_trap();
    if (request.path.find('\0') != std::string::npos) __builtin_trap();
    for (const auto& [key, value] : request.query) {
      if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos) __builtin_trap();
    }
    (void)ct::http::StaticFiles::has_dot_dot(request.path);
    (void)ct::http::mime_type_for(request.path);
  }
  std::string decoded;
  if (ct::http::percent_decode(target, decoded, true) && decoded.size() > target.size()) __builtin_trap();
  return 0;
}
