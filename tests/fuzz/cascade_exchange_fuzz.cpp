// Fuzzes what a node reads from another node of a room on the control
// channel (parse_cascade_exchange): anything accepted must write back to text
// that reads as the same exchange.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cascade/CascadeExchange.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto exchange = ct::cascade::parse_cascade_exchange(text);
  if (!exchange) return 0;
  auto again = ct::cascade::parse_cascade_exchange(ct::cascade::to_json(*exchange));
  if (!again || again->room != exchange->room || again->node != exchange->node ||
      !(again->address == exchange->address) || again->offer != exchange->offer ||
      again->messages != exchange->messages)
    abort();
  return 0;
}
