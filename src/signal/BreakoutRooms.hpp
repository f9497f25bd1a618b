#pragma once
// Breakout rooms (docs/protocol.md "Breakout rooms"): the names of a main
// room's breakout rooms and the checks on what an administrator asks for.
// A breakout room named `a` of the room `standup` is the room `standup~a`;
// '~' is unreserved in URLs (RFC 3986 §2.3), so the name works as is in a
// page URL and an API path. Plain values, no threads: ParticipantMover keeps
// the open sets under its lock.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sfu/RoomEvents.hpp"

namespace ct::signal {

class BreakoutRooms {
 public:
  static constexpr char kSeparator = '~';
  static constexpr size_t kMaxRooms = 16;
  static constexpr size_t kMaxName = 32;
  static constexpr size_t kMaxRoomName = 128;  // what a token's room may be

  // The main room of `room`: the part before the first '~' (the room itself when it has none).
  static std::string main_room(std::string_view room);
  // The full room name of breakout `name` of `main`.
  static std::string room_name(std::string_view main, std::string_view name);
  // Whether `name` may name a breakout room: 1 to 32 of A-Z a-z 0-9 '-' '_'.
  static bool valid_name(std::string_view name);
  // The names an administrator opens: 1 to 16, each valid, no repeats, and
  // each full room name within 128 bytes. Error "bad_breakout_name".
  static std::optional<sfu::event::Error> check_open(std::string_view main,
                                                     const std::vector<std::string>& names);
};

}  // namespace ct::signal
