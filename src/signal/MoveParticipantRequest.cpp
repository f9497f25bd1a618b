#include "signal/MoveParticipantRequest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "signal/BreakoutRooms.hpp"

namespace ct::signal {

namespace {

using Json = nlohmann::json;
using Refusal = RoomApiRequest::Refusal;

Refusal bad(std::string message) { return Refusal{"bad_request", std::move(message)}; }

bool websocket_url(std::string_view url) {
  if (!url.starts_with("ws://") && !url.starts_with("wss://")) return false;
  // No spaces or control characters: it goes into a message as given and the browser opens it.
  return std::none_of(url.begin(), url.end(), [](char c) { return (unsigned char)c <= 0x20 || c == 0x7f; });
}

}  // namespace

std::variant<MoveParticipantRequest, Refusal> MoveParticipantRequest::parse(std::string_view body,
                                                                            const std::string& from_room) {
  Json j;
  try {
    j = Json::parse(body);
  } catch (const Json::exception& e) {
    return Refusal{"bad_json", e.what()};
  }
  if (!j.is_object()) return bad("the body must be a JSON object");
  MoveParticipantRequest out;
  for (const auto& [key, value] : j.items()) {
    if (key != "room" && key != "url" && key != "reason") return bad("unknown field '" + key + "'");
    if (!value.is_string()) return bad(key + " must be a string");
  }
  auto text = [&](const char* key) { return j.contains(key) ? j[key].get<std::string>() : std::string(); };
  out.room = text("room");
  if (!RoomApiRequest::valid_name(out.room))
    return bad("room is required: 1 to " + std::to_string(RoomApiRequest::kMaxName) +
               " bytes, no '/' or control characters");
  out.url = text("url");
  if (!out.url.empty() && (out.url.size() > kMaxUrl || !websocket_url(out.url)))
    return bad("url must be a ws:// or wss:// URL of at most 2048 bytes");
  out.reason = text("reason");
  if (out.reason.empty()) {
    out.reason = reason_for(from_room, out.room, !out.url.empty());
  } else if (out.reason != "breakout" && out.reason != "return" && out.reason != "redirect" &&
             out.reason != "drain") {
    return bad("reason must be \"breakout\", \"return\", \"redirect\" or \"drain\"");
  }
  return out;
}

std::string MoveParticipantRequest::reason_for(const std::string& from_room, const std::string& to_room,
                                               bool has_url) {
  if (has_url) return "redirect";
  if (from_room != to_room && BreakoutRooms::main_room(from_room) == to_room) return "return";
  return "breakout";
}

bool MoveParticipantRequest::may_move_to(const VideoGrants& grants, const std::string& from_room,
                                         const std::string& to_room) {
  if (!grants.room_admin) return false;
  if (grants.room.empty() || grants.room == to_room) return true;
  return BreakoutRooms::main_room(from_room) == BreakoutRooms::main_room(to_room);
}

}  // namespace ct::signal
