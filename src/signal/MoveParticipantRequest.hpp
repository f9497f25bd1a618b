#pragma once
// The body of `POST /api/rooms/{room}/participants/{identity}/move`
// (docs/api.md): `{"room": "<target>", "url": "<ws(s) /rtc URL>"?,
// "reason": "breakout"|"return"|"redirect"|"drain"?}`, checked on the HTTP
// thread, and who may move a participant where.
#include <string>
#include <string_view>
#include <variant>

#include "signal/AccessToken.hpp"
#include "signal/RoomApiRequest.hpp"

namespace ct::signal {

class MoveParticipantRequest {
 public:
  static constexpr size_t kMaxUrl = 2048;

  std::string room;
  std::string url;     // empty: the room is on this server
  std::string reason;  // given, or what the move is (reason_for)

  // Refusals: "bad_json", "bad_request" (RoomApiRequest's).
  static std::variant<MoveParticipantRequest, RoomApiRequest::Refusal> parse(std::string_view body,
                                                                             const std::string& from_room);
  // Without a reason given: "redirect" with a url, "return" to the main room
  // of a breakout room, "breakout" otherwise.
  static std::string reason_for(const std::string& from_room, const std::string& to_room, bool has_url);
  // roomAdmin on the source room is checked first; the target needs it too,
  // unless it belongs to the same call (the main room or one of its breakout rooms).
  static bool may_move_to(const VideoGrants& grants, const std::string& from_room,
                          const std::string& to_room);
};

}  // namespace ct::signal
