// libFuzzer target: the room service API's move body
// (signal/MoveParticipantRequest) and breakout room names (signal/BreakoutRooms).
// The first byte picks the parser; the rest is the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signal/BreakoutRooms.hpp"
#include "signal/MoveParticipantRequest.hpp"

using ct::signal::BreakoutRooms;
using ct::signal::MoveParticipantRequest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    auto r = MoveParticipantRequest::parse(input, "standup");
    if (auto* m = std::get_if<MoveParticipantRequest>(&r)) {
      if (!ct::signal::RoomApiRequest::valid_name(m->room) || m->url.size() > MoveParticipantRequest::kMaxUrl)
        __builtin_trap();
    }
  } else {
    // Names separated by ',', as an administrator would list them.
    std::vector<std::string> names;
    size_t start = 0;
    for (size_t i = 0; i <= input.size(); ++i)
      if (i == input.size() || input[i] == ',') {
        names.emplace_back(input.substr(start, i - start));
        start = i + 1;
      }
    if (!BreakoutRooms::check_open("main", names))
      for (const auto& n : names)
        if (!BreakoutRooms::valid_name(n) ||
            BreakoutRooms::main_room(BreakoutRooms::room_name("main", n)) != "main")
          __builtin_trap();
  }
  return 0;
}
