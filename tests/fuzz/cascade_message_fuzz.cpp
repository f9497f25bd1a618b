// Fuzzes the control messages a node reads from another node of the room
// (parse_cascade_message): anything accepted must write back to text that
// parses to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cascade/CascadeMessage.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto message = ct::cascade::parse_cascade_message(text);
  if (!message) return 0;
  auto again = ct::cascade::parse_cascade_message(ct::cascade::to_json(*message));
  if (!again || *again != *message) abort();
  return 0;
}
