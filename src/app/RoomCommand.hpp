#pragma once
// `ciphertalk room list|create|delete` and `ciphertalk participant
// list|get|remove|mute|update`: the room service API (docs/api.md) from the
// command line, as `lk room` does for LiveKit. Each call signs its own
// one-minute token with only the grants it needs, from --api-key and
// --api-secret (or CIPHERTALK_API_KEY/CIPHERTALK_API_SECRET, --config, --dev,
// as `token create`). The pure parts (tokens, bodies, tables) are functions
// of their own so they are unit-tested without a server.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/TokenCommand.hpp"

namespace CLI {
class App;
}

namespace ct::app {

// A short-lived API token for `grants` (names as `token create --grant`
// takes them), for `room` or, empty, every room. Returns an error message,
// or nothing and fills `token`.
std::optional<std::string> make_api_token(const TokenCreateOptions& key_options, const std::string& room,
                                          const std::vector<std::string>& grants, std::string& token);

// The body of POST /api/rooms from the command line's settings.
struct RoomCreateOptions {
  std::string name;
  std::optional<uint32_t> max_participants, empty_timeout;
  bool e2ee = false, record = false;
  std::optional<std::string> metadata;
};
nlohmann::json room_create_body(const RoomCreateOptions& options);

// The body of PATCH .../participants/{identity}; "true"/"false" for permissions.
struct ParticipantUpdateOptions {
  std::optional<std::string> name, metadata;
  std::optional<bool> can_publish, can_subscribe, can_publish_data;
};
nlohmann::json participant_update_body(const ParticipantUpdateOptions& options);

// Tables for people: one line per room or participant, aligned columns.
std::string rooms_table(const nlohmann::json& rooms);
std::string participants_table(const nlohmann::json& participants);

void add_room_commands(CLI::App& app);

}  // namespace ct::app
