// libFuzzer target: the /rtc signaling message parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signal/SignalProtocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = ct::signal::parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (auto* req = std::get_if<ct::signal::Request>(&r)) (void)ct::signal::request_name(*req);
  return 0;
}
