#pragma once
// The bodies the room service API accepts (docs/api.md), parsed and checked
// on the HTTP thread before anything reaches a room: JSON syntax, types,
// sizes and names. Each parser returns the request or the reason it was
// refused (sent back as a 400 `bad_request`, or `bad_json` for bad syntax).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sfu/Room.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::signal {

class RoomApiRequest {
 public:
  // Room names and identities: what a token may name.
  static constexpr size_t kMaxName = 128;
  static constexpr size_t kMaxDisplayName = 128, kMaxMetadata = 4096;

  struct Refusal {
    std::string code;  // "bad_json", "bad_request", "data_too_large"
    std::string message;
  };
  struct CreateRoom {  // POST /api/rooms
    std::string name;
    sfu::RoomSettings settings;
  };
  struct UpdateRoom {  // PATCH /api/rooms/{room}
    // The settings to change, by API name, each checked (RoomSettingsJson::read applies them).
    nlohmann::json settings;
  };
  struct UpdateParticipant {  // PATCH /api/rooms/{room}/participants/{identity}
    sfu::ParticipantUpdate update;
  };
  struct MuteTrack {  // POST .../tracks/{sid}/mute
    bool muted = true;
  };
  struct SendData {  // POST /api/rooms/{room}/data
    std::vector<uint8_t> payload;
    std::string topic;
    std::vector<std::string> destinations;  // empty: everyone
    bool reliable = true;
  };

  template <class T>
  using Result = std::variant<T, Refusal>;

  static Result<CreateRoom> create_room(std::string_view body);
  static Result<UpdateRoom> update_room(std::string_view body);
  static Result<UpdateParticipant> update_participant(std::string_view body);
  static Result<MuteTrack> mute_track(std::string_view body);
  static Result<SendData> send_data(std::string_view body);

  // A room name or identity the API accepts: 1 to kMaxName bytes, no '/'
  // (it separates the parts of a path) and no control characters.
  static bool valid_name(std::string_view name);
};

}  // namespace ct::signal
