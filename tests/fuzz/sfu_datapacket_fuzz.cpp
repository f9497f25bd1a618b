// libFuzzer target: the data-message envelope. Whatever parses must
// re-serialize (sender, topic, destinations, payload) to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "sfu/DataPacket.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  auto packet = ct::sfu::DataPacket::parse(input);
  if (!packet) return 0;
  std::vector<std::string_view> destinations;
  packet->for_each_destination([&](std::string_view d) { destinations.push_back(d); });
  if (destinations.size() != packet->destination_count()) std::abort();
  std::vector<uint8_t> out(size);
  size_t n = ct::sfu::DataPacket::write(out, packet->sender(), packet->topic(), packet->payload(), destinations);
  if (n != size || !std::equal(out.begin(), out.end(), input.begin())) std::abort();
  return 0;
}
