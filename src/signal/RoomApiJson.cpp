#include "signal/RoomApiJson.hpp"

#include <chrono>

#include "sfu/Room.hpp"
#include "signal/RoomSettingsJson.hpp"

namespace ct::signal {

using Json = nlohmann::json;

Json RoomApiJson::room(const sfu::Room& room) {
  auto participants = room.participants();
  size_t publishers = 0;
  for (const auto& p : participants)
    if (!p.tracks.empty()) ++publishers;
  Json recording = {{"active", room.recording()}, {"id", nullptr}};
  if (room.recording()) recording["id"] = room.recording_id();
  auto created =
      std::chrono::duration_cast<std::chrono::seconds>(room.created_at().time_since_epoch()).count();
  return {{"name", room.name()},
          {"num_participants", participants.size()},
          {"num_publishers", publishers},
          {"created_at", created},
          {"recording", std::move(recording)},
          {"settings", RoomSettingsJson::to_json(room.settings())}};
}

Json RoomApiJson::participant(const sfu::ParticipantState& p) {
  Json tracks = Json::array();
  for (const auto& t : p.tracks) tracks.push_back(track(t));
  return {{"identity", p.info.identity},
          {"name", p.info.name},
          {"metadata", p.info.metadata},
          {"hidden", p.info.hidden},
          {"kind", p.info.kind},
          {"permissions",
           {{"canPublish", p.info.can_publish},
            {"canSubscribe", p.info.can_subscribe},
            {"canPublishData", p.info.can_publish_data},
            {"canRecord", p.info.can_record}}},
          {"tracks", std::move(tracks)}};
}

Json RoomApiJson::track(const sfu::TrackInfo& t) {
  return {{"sid", t.sid},   {"publisher", t.publisher}, {"kind", t.kind},   {"source", t.source},
          {"name", t.name}, {"codec", t.codec},         {"muted", t.muted}, {"simulcast_layers", t.rids}};
}

std::string RoomApiJson::dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ct::signal
