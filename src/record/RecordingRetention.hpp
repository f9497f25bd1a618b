#pragma once
// The retention period (`--recording-retention`): recordings older than it
// are deleted, the local folders and the uploaded objects on every target.
// A recording's age counts from its stop (the final manifest's time on disk,
// an object's LastModified in the store). Only what CipherTalk wrote is
// touched: local folders DIR/<room>/<id>/ whose manifest says the recording
// stopped, and objects named <prefix><room>/<id>/<file> whose <id> is a
// recording id. A recording still running is never deleted.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace ct::objectstore {
class S3Client;
}

namespace ct::record {

class RecordingRetention {
 public:
  using WallClock = std::chrono::system_clock;

  struct Sweep {
    size_t deleted = 0;  // folders (local) or objects (remote)
    size_t failed = 0;
    std::string error;  // the first failure, for the log
  };

  // Whether `folder` holds a recording that has ended: its manifest.json is
  // the final one ("state": "stopped", or a stopped_at time from a manifest
  // written only at the stop).
  static bool is_complete(const std::filesystem::path& folder);
  // "20261207T001502Z-a1B2c3": what RoomRecorder::new_id makes.
  static bool is_recording_id(std::string_view name);

  static Sweep sweep_local(const std::filesystem::path& recordings_dir, WallClock::time_point now,
                           std::chrono::seconds retention);
  static Sweep sweep_remote(objectstore::S3Client& client, WallClock::time_point now,
                            std::chrono::seconds retention);
};

}  // namespace ct::record
