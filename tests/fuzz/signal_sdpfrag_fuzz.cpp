// libFuzzer target: the trickle-ice-sdpfrag parser (PATCH bodies of WHIP
// sessions) and the round trip of what it accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "signal/SdpFragment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto fragment = ct::signal::SdpFragment::parse(text, error);
  if (!fragment) {
    if (error.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  // What it accepts serializes to a fragment it accepts again, unchanged
  // (one of attributes it does not know serializes to nothing).
  std::string once = fragment->serialize();
  if (once.empty()) return 0;
  auto again = ct::signal::SdpFragment::parse(once, error);
  if (!again || again->serialize() != once) std::abort();
  (void)ct::signal::SdpFragment::ice_of(text);
  (void)ct::signal::SdpFragment::with_ice_credentials(text, fragment->ufrag(), fragment->pwd());
  return 0;
}
