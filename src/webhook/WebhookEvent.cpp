#include "webhook/WebhookEvent.hpp"

#include <nlohmann/json.hpp>

#include "core/Random.hpp"

namespace ct::webhook {
namespace {

using Json = nlohmann::json;
using Kind = sfu::RoomActivity::Kind;

const char* event_name(Kind kind) {
  switch (kind) {
    case Kind::room_started:
      return "room_started";
    case Kind::room_finished:
      return "room_finished";
    case Kind::participant_joined:
      return "participant_joined";
    case Kind::participant_left:
      return "participant_left";
    case Kind::track_published:
      return "track_published";
    case Kind::track_unpublished:
      return "track_unpublished";
    case Kind::recording_started:
      return "recording_started";
  }
  return "unknown";
}

int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

Json participant_json(const sfu::ParticipantInfo& p) {
  // kind: "standard" (a /rtc client), "ingress" (WHIP) or "whep" (a WHEP player).
  Json j{{"identity", p.identity}, {"name", p.name}, {"metadata", p.metadata}, {"kind", p.kind}};
  j["permission"] = {{"canPublish", p.can_publish},
                     {"canSubscribe", p.can_subscribe},
                     {"canPublishData", p.can_publish_data},
                     {"hidden", p.hidden},
                     {"canRecord", p.can_record}};
  return j;
}

Json track_json(const sfu::TrackInfo& t) {
  return Json{{"sid", t.sid},     {"type", t.kind},   {"source", t.source}, {"name", t.name},
              {"codec", t.codec}, {"muted", t.muted}, {"simulcast", t.rids}};
}

WebhookEvent make(std::string event, std::string room, std::chrono::system_clock::time_point created,
                  Json body) {
  WebhookEvent e;
  e.event = std::move(event);
  e.id = "EV_" + random_token(16);
  e.room = std::move(room);
  e.created_at = created;
  e.queued_at = Clock::now();
  body["event"] = e.event;
  body["id"] = e.id;
  body["createdAt"] = unix_seconds(created);
  // Client-given strings may be any bytes: replace what is not UTF-8 rather than throw.
  e.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return e;
}

}  // namespace

WebhookEvent WebhookEvent::from_activity(const sfu::RoomActivity& a) {
  Json body;
  body["room"] = {{"name", a.room}, {"sid", a.room_sid}, {"creationTime", unix_seconds(a.room_created)}};
  switch (a.kind) {
    case Kind::participant_left:
      body["reason"] = a.reason;
      [[fallthrough]];
    case Kind::participant_joined:
      body["participant"] = participant_json(a.participant);
      break;
    case Kind::track_published:
    case Kind::track_unpublished:
      body["participant"] = participant_json(a.participant);
      body["track"] = track_json(a.track);
      break;
    case Kind::recording_started:
      body["recording"] = {{"id", a.recording_id}, {"startedBy", a.started_by}};
      break;
    case Kind::room_started:
    case Kind::room_finished:
      break;
  }
  return make(event_name(a.kind), a.room, a.at, std::move(body));
}

WebhookEvent WebhookEvent::recording_finished(const RecordingFinished& r) {
  Json recording{{"id", r.id}, {"folder", r.folder}, {"tracks", r.tracks}};
  if (r.started_at.time_since_epoch().count() != 0) recording["startedAt"] = unix_seconds(r.started_at);
  if (r.stopped_at.time_since_epoch().count() != 0) recording["stoppedAt"] = unix_seconds(r.stopped_at);
  Json body{{"room", {{"name", r.room}}}, {"recording", std::move(recording)}};
  return make("recording_finished", r.room, std::chrono::system_clock::now(), std::move(body));
}

}  // namespace ct::webhook
