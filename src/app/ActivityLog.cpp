#include "app/ActivityLog.hpp"

#include "core/Log.hpp"

namespace ct::app {

void ActivityLog::on_room_activity(const sfu::RoomActivity& a) {
  using Kind = sfu::RoomActivity::Kind;
  const auto info = spdlog::level::info;
  switch (a.kind) {
    case Kind::participant_joined:
      log_event(info,
                {.room = a.room, .participant = a.participant.identity, .event = "join", .outcome = "ok"},
                "participant joined");
      break;
    case Kind::participant_left:
      log_event(info,
                {.room = a.room,
                 .participant = a.participant.identity,
                 .event = "leave",
                 .outcome = "ok",
                 .reason = a.reason},
                "participant left");
      break;
    case Kind::track_published:
      log_event(info,
                {.room = a.room,
                 .participant = a.participant.identity,
                 .event = "publish",
                 .outcome = "ok",
                 .track = a.track.sid},
                "track published");
      break;
    case Kind::track_unpublished:
      log_event(info,
                {.room = a.room,
                 .participant = a.participant.identity,
                 .event = "unpublish",
                 .outcome = "ok",
                 .track = a.track.sid},
                "track unpublished");
      break;
    default:
      break;
  }
  if (next_) next_->on_room_activity(a);
}

}  // namespace ct::app
