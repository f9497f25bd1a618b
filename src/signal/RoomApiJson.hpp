#pragma once
// What the room service API answers (docs/api.md, docs/openapi.yaml): rooms,
// participants and tracks as JSON. Built on the room's worker thread from
// what the Room reports.
#include <nlohmann/json.hpp>

#include "sfu/RoomEvents.hpp"

namespace ct::sfu {
class Room;
}

namespace ct::signal {

class RoomApiJson {
 public:
  static nlohmann::json room(const sfu::Room& room);
  static nlohmann::json participant(const sfu::ParticipantState& participant);
  static nlohmann::json track(const sfu::TrackInfo& track);
  // Text for an HTTP body; invalid UTF-8 (names from tokens) becomes U+FFFD.
  static std::string dump(const nlohmann::json& j);
};

}  // namespace ct::signal
