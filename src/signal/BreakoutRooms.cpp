#include "signal/BreakoutRooms.hpp"

#include <algorithm>

namespace ct::signal {

std::string BreakoutRooms::main_room(std::string_view room) {
  return std::string(room.substr(0, room.find(kSeparator)));
}

std::string BreakoutRooms::room_name(std::string_view main, std::string_view name) {
  std::string full(main);
  full += kSeparator;
  full += name;
  return full;
}

bool BreakoutRooms::valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::optional<sfu::event::Error> BreakoutRooms::check_open(std::string_view main,
                                                           const std::vector<std::string>& names) {
  auto bad = [](std::string message) { return sfu::event::Error{"bad_breakout_name", std::move(message)}; };
  if (names.empty() || names.size() > kMaxRooms)
    return bad("open 1 to " + std::to_string(kMaxRooms) + " breakout rooms");
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    if (!valid_name(name))
      return bad("a breakout room name is 1 to " + std::to_string(kMaxName) + " letters, digits, '-' or '_'");
    if (main.size() + 1 + name.size() > kMaxRoomName)
      return bad("the room name " + room_name(main, name).substr(0, 64) + "... is over 128 bytes");
    if (std::find(names.begin(), names.begin() + i, name) != names.begin() + i)
      return bad("breakout room " + name + " is named twice");
  }
  return std::nullopt;
}

}  // namespace ct::signal
