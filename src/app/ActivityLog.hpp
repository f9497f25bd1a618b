#pragma once
// One log line per participant joined or left and track published or
// unpublished, with the room and participant as fields of their own
// (log_event: keys of the object in JSON lines), then the activity goes on
// to the next observer (webhooks), if any. Refusals are logged where they
// happen (the signaling session).
#include "sfu/RoomObserver.hpp"

namespace ct::app {

class ActivityLog final : public sfu::RoomObserver {
 public:
  explicit ActivityLog(sfu::RoomObserver* next) : next_(next) {}
  void on_room_activity(const sfu::RoomActivity& activity) override;

 private:
  sfu::RoomObserver* next_;
};

}  // namespace ct::app
