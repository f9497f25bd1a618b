#pragma once
// One webhook event as it is POSTed (docs/api.md, "Webhooks"): the JSON body
// is made once, when the event happens, and sent as is to every URL and on
// every retry. The body is built here from what the room observed; strings
// from clients (names, metadata) that are not valid UTF-8 are written with
// U+FFFD in place of the bad bytes, never refused.
#include <chrono>
#include <string>

#include "core/Clock.hpp"
#include "sfu/RoomObserver.hpp"

namespace ct::webhook {

struct WebhookEvent {
  std::string event;  // "room_started", "participant_joined", ...
  std::string id;     // unique: "EV_" + random
  std::string room;   // events of one room are delivered in order
  std::string body;   // application/webhook+json
  std::chrono::system_clock::time_point created_at{};
  TimePoint queued_at{};  // the monotonic clock, for delivery latency and giving up

  static WebhookEvent from_activity(const sfu::RoomActivity& activity);

  // A recording is complete: stopped, and every file written and closed.
  struct RecordingFinished {
    std::string room;
    std::string id;
    std::string folder;                                                // where the files are, on the server
    std::chrono::system_clock::time_point started_at{}, stopped_at{};  // epoch: unknown
    size_t tracks = 0;
  };
  static WebhookEvent recording_finished(const RecordingFinished& recording);
};

}  // namespace ct::webhook
