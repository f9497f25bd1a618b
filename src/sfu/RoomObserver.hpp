#pragma once
// What happens in a room, told to whoever watches from outside the call
// (webhooks, docs/api.md): the room started or finished, participants came
// and went, tracks were published and unpublished, a recording started.
// Called on the room's worker thread, in the order things happened; an
// observer must return at once (queue, and deliver on another thread): the
// media path never waits for it.
#include <chrono>
#include <string>

#include "sfu/RoomEvents.hpp"

namespace ct::sfu {

struct RoomActivity {
  enum class Kind {
    room_started,
    room_finished,
    participant_joined,
    participant_left,
    track_published,
    track_unpublished,
    recording_started,
  };
  Kind kind = Kind::room_started;
  std::string room;
  std::string room_sid;  // this life of the room: a room of the same name created later has another
  std::chrono::system_clock::time_point room_created{};
  std::chrono::system_clock::time_point at{};  // when it happened
  ParticipantInfo participant;                 // participant_* and track_* (the publisher)
  TrackInfo track;                             // track_*
  std::string reason;                          // participant_left
  std::string recording_id;                    // recording_started
  std::string started_by;                      // recording_started
};

class RoomObserver {
 public:
  virtual ~RoomObserver() = default;
  virtual void on_room_activity(const RoomActivity& activity) = 0;
};

}  // namespace ct::sfu
