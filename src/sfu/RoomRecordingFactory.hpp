#pragma once
// How a Room records itself without knowing how recordings are written: the
// room asks a RoomRecordingFactory (implemented above the SFU, wired in by the
// application) for one RoomRecording per start_recording, then asks that for
// a tap per publication while it runs. All calls come on the room's worker.
#include <cstdint>
#include <memory>
#include <string>

#include "core/Clock.hpp"

namespace ct::sfu {

class PacketTap;
struct TrackInfo;

// One running recording of one room.
class RoomRecording {
 public:
  virtual ~RoomRecording() = default;
  virtual const std::string& id() const = 0;
  // A tap for this publication, or none for what cannot be recorded (a codec
  // other than Opus and VP8). Called for every publication live at the start
  // and every one published while the recording runs.
  virtual std::unique_ptr<PacketTap> tap_for(const std::string& participant, const TrackInfo& track) = 0;
  // The recording ends: every tap it made is already gone. Writes what
  // describes the recording (the manifest).
  virtual void finish(const std::string& stopped_by) = 0;
};

class RoomRecordingFactory {
 public:
  virtual ~RoomRecordingFactory() = default;
  // A new recording of `room`, started by `started_by`; null if it cannot be
  // started (the folder cannot be made). Shared by every worker.
  virtual std::unique_ptr<RoomRecording> start(const std::string& room, const std::string& started_by,
                                               bool e2ee) const = 0;
};

}  // namespace ct::sfu
