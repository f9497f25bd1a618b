#pragma once
// A room's settings (sfu::RoomSettings) as the room service API reads and
// writes them (docs/api.md): one table of field names, so a new setting is a
// member of RoomSettings and one line in the table.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sfu/RoomEvents.hpp"

namespace ct::signal {

class RoomSettingsJson {
 public:
  // Settings of a room the API creates, before the request's own.
  static sfu::RoomSettings api_defaults();
  // Every setting, under its API name.
  static nlohmann::json to_json(const sfu::RoomSettings& settings);
  // Reads the settings `object` names into `settings` (members it does not
  // name are left alone; names outside the table are not read here). Returns
  // the reason when one has the wrong type or is out of range.
  static std::optional<std::string> read(const nlohmann::json& object, sfu::RoomSettings& settings);
  // Whether `name` is one of the settings.
  static bool is_setting(const std::string& name);
};

}  // namespace ct::signal
