#include "signal/RoomApiRequest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/Encoding.hpp"
#include "sfu/DataPacket.hpp"
#include "signal/RoomSettingsJson.hpp"

namespace ct::signal {

namespace {

using Json = nlohmann::json;
using Refusal = RoomApiRequest::Refusal;

Refusal bad(std::string message) { return Refusal{"bad_request", std::move(message)}; }

// The body as a JSON object, or why not (the parser's own words for bad syntax).
std::variant<Json, Refusal> object_of(std::string_view body) {
  Json j;
  try {
    j = Json::parse(body);
  } catch (const Json::exception& e) {  // a parse error, or a number out of range (1e400)
    return Refusal{"bad_json", e.what()};
  }
  if (!j.is_object()) return bad("the body must be a JSON object");
  return j;
}

// Members the request does not know are refused: a misspelt setting must not pass silently.
std::optional<Refusal> only_known(const Json& j, std::initializer_list<std::string_view> known,
                                  bool settings_too = false) {
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (settings_too && RoomSettingsJson::is_setting(key)) continue;
    return bad("unknown field '" + key + "'");
  }
  return std::nullopt;
}

// An optional string member of at most `max` bytes: nullopt when absent;
// sets `error` when present with the wrong type or too long.
std::optional<std::string> text(const Json& j, const char* name, size_t max, std::optional<Refusal>& error) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    error = bad(std::string(name) + " must be a string");
    return std::nullopt;
  }
  if (it->get_ref<const std::string&>().size() > max) {
    error = bad(std::string(name) + " is longer than " + std::to_string(max) + " bytes");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<bool> flag(const Json& j, const char* name, std::optional<Refusal>& error) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    error = bad(std::string(name) + " must be true or false");
    return std::nullopt;
  }
  return it->get<bool>();
}

}  // namespace

bool RoomApiRequest::valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxName) return false;
  return std::none_of(name.begin(), name.end(),
                      [](char c) { return c == '/' || (unsigned char)c < 0x20 || c == 0x7f; });
}

RoomApiRequest::Result<RoomApiRequest::CreateRoom> RoomApiRequest::create_room(std::string_view body) {
  auto parsed = object_of(body);
  if (auto* refusal = std::get_if<Refusal>(&parsed)) return *refusal;
  const Json& j = std::get<Json>(parsed);
  if (auto refusal = only_known(j, {"name"}, /*settings_too=*/true)) return *refusal;
  std::optional<Refusal> error;
  auto name = text(j, "name", kMaxName, error);
  if (error) return *error;
  if (!name || !valid_name(*name))
    return bad("name is required: 1 to " + std::to_string(kMaxName) + " bytes, no '/' or control characters");
  CreateRoom out{std::move(*name), RoomSettingsJson::api_defaults()};
  if (auto reason = RoomSettingsJson::read(j, out.settings)) return bad(*reason);
  return out;
}

RoomApiRequest::Result<RoomApiRequest::UpdateRoom> RoomApiRequest::update_room(std::string_view body) {
  auto parsed = object_of(body);
  if (auto* refusal = std::get_if<Refusal>(&parsed)) return *refusal;
  Json& j = std::get<Json>(parsed);
  if (auto refusal = only_known(j, {}, /*settings_too=*/true)) return *refusal;
  if (j.empty()) return bad("nothing to update: give one or more room settings");
  sfu::RoomSettings checked;
  if (auto reason = RoomSettingsJson::read(j, checked)) return bad(*reason);
  return UpdateRoom{std::move(j)};
}

RoomApiRequest::Result<RoomApiRequest::UpdateParticipant> RoomApiRequest::update_participant(
    std::string_view body) {
  auto parsed = object_of(body);
  if (auto* refusal = std::get_if<Refusal>(&parsed)) return *refusal;
  const Json& j = std::get<Json>(parsed);
  if (auto refusal = only_known(j, {"name", "metadata", "permissions"})) return *refusal;
  std::optional<Refusal> error;
  UpdateParticipant out;
  out.update.name = text(j, "name", kMaxDisplayName, error);
  if (!error) out.update.metadata = text(j, "metadata", kMaxMetadata, error);
  if (error) return *error;
  if (auto it = j.find("permissions"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return bad("permissions must be an object");
    if (auto refusal = only_known(*it, {"canPublish", "canSubscribe", "canPublishData"})) return *refusal;
    out.update.can_publish = flag(*it, "canPublish", error);
    if (!error) out.update.can_subscribe = flag(*it, "canSubscribe", error);
    if (!error) out.update.can_publish_data = flag(*it, "canPublishData", error);
    if (error) return *error;
  }
  const auto& u = out.update;
  if (!u.name && !u.metadata && !u.can_publish && !u.can_subscribe && !u.can_publish_data)
    return bad("nothing to update: give name, metadata or permissions");
  return out;
}

RoomApiRequest::Result<RoomApiRequest::MuteTrack> RoomApiRequest::mute_track(std::string_view body) {
  auto parsed = object_of(body);
  if (auto* refusal = std::get_if<Refusal>(&parsed)) return *refusal;
  const Json& j = std::get<Json>(parsed);
  if (auto refusal = only_known(j, {"muted"})) return *refusal;
  std::optional<Refusal> error;
  auto muted = flag(j, "muted", error);
  if (error) return *error;
  if (!muted) return bad("muted is required (true or false)");
  return MuteTrack{*muted};
}

RoomApiRequest::Result<RoomApiRequest::SendData> RoomApiRequest::send_data(std::string_view body) {
  auto parsed = object_of(body);
  if (auto* refusal = std::get_if<Refusal>(&parsed)) return *refusal;
  const Json& j = std::get<Json>(parsed);
  if (auto refusal = only_known(j, {"data", "encoding", "topic", "destination_identities", "reliable"}))
    return *refusal;
  std::optional<Refusal> error;
  SendData out;
  auto data = text(j, "data", SIZE_MAX, error);
  auto encoding = error ? std::nullopt : text(j, "encoding", 16, error);
  auto topic = error ? std::nullopt : text(j, "topic", sfu::DataPacket::kMaxTopic, error);
  auto reliable = error ? std::nullopt : flag(j, "reliable", error);
  if (error) return *error;
  if (!data) return bad("data is required (a string)");
  if (!encoding || *encoding == "text") {
    out.payload.assign(data->begin(), data->end());
  } else if (*encoding == "base64") {
    auto bytes = base64_decode(*data);
    if (!bytes) return bad("data is not valid base64");
    out.payload = std::move(*bytes);
  } else {
    return bad("encoding must be \"text\" or \"base64\"");
  }
  out.topic = topic.value_or("");
  out.reliable = reliable.value_or(true);
  if (auto it = j.find("destination_identities"); it != j.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > 255)
      return bad("destination_identities must be an array of at most 255 identities");
    std::set<std::string> seen;
    for (const auto& d : *it) {
      if (!d.is_string() || !valid_name(d.get_ref<const std::string&>()))
        return bad("each destination identity must be a string of 1 to " + std::to_string(kMaxName) +
                   " bytes");
      if (seen.insert(d.get<std::string>()).second) out.destinations.push_back(d.get<std::string>());
    }
  }
  if (sfu::DataPacket::size({}, out.topic, out.payload) > sfu::DataPacket::kMaxMessage)
    return Refusal{"data_too_large", "the message is larger than " +
                                         std::to_string(sfu::DataPacket::kMaxMessage) +
                                         " bytes with its envelope"};
  return out;
}

}  // namespace ct::signal
