#include "signal/RoomSettingsJson.hpp"

#include <cstdint>
#include <variant>

namespace ct::signal {

namespace {

using sfu::RoomSettings;
using Json = nlohmann::json;

struct Setting {
  const char* name;
  std::variant<bool RoomSettings::*, uint32_t RoomSettings::*, std::string RoomSettings::*> member;
  uint32_t max = 0;  // numbers: the largest value; strings: the most bytes
  uint32_t min = 0;  // numbers: the smallest value
};

// The one table: add a setting here.
const Setting kSettings[] = {
    {"max_participants", &RoomSettings::max_participants, 100'000},
    {"empty_timeout", &RoomSettings::empty_timeout_seconds, 7 * 24 * 3600},
    {"e2ee", &RoomSettings::e2ee_required},
    {"recording", &RoomSettings::auto_record},
    {"metadata", &RoomSettings::metadata, 4096},
    {"p2p", &RoomSettings::p2p},
    {"p2p_max", &RoomSettings::p2p_max, 4, 2},
};

struct Reader {
  const Json& value;
  const Setting& setting;
  RoomSettings& out;

  std::optional<std::string> operator()(bool RoomSettings::*m) const {
    if (!value.is_boolean()) return std::string(setting.name) + " must be true or false";
    out.*m = value.get<bool>();
    return std::nullopt;
  }
  std::optional<std::string> operator()(uint32_t RoomSettings::*m) const {
    if (!value.is_number_integer() || value.get<int64_t>() < int64_t(setting.min) ||
        value.get<int64_t>() > int64_t(setting.max))
      return std::string(setting.name) + " must be a whole number from " + std::to_string(setting.min) +
             " to " + std::to_string(setting.max);
    out.*m = uint32_t(value.get<int64_t>());
    return std::nullopt;
  }
  std::optional<std::string> operator()(std::string RoomSettings::*m) const {
    if (!value.is_string()) return std::string(setting.name) + " must be a string";
    if (value.get_ref<const std::string&>().size() > setting.max)
      return std::string(setting.name) + " is longer than " + std::to_string(setting.max) + " bytes";
    out.*m = value.get<std::string>();
    return std::nullopt;
  }
};

}  // namespace

RoomSettings RoomSettingsJson::api_defaults() {
  RoomSettings s;
  // A room made ahead of its call waits five minutes for someone to come.
  s.empty_timeout_seconds = 300;
  return s;
}

Json RoomSettingsJson::to_json(const RoomSettings& settings) {
  Json j = Json::object();
  for (const auto& s : kSettings) std::visit([&](auto member) { j[s.name] = settings.*member; }, s.member);
  return j;
}

std::optional<std::string> RoomSettingsJson::read(const Json& object, RoomSettings& settings) {
  for (const auto& s : kSettings) {
    auto it = object.find(s.name);
    if (it == object.end() || it->is_null()) continue;
    if (auto error = std::visit(Reader{*it, s, settings}, s.member)) return error;
  }
  return std::nullopt;
}

bool RoomSettingsJson::is_setting(const std::string& name) {
  for (const auto& s : kSettings)
    if (name == s.name) return true;
  return false;
}

}  // namespace ct::signal
