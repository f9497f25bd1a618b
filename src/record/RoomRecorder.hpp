#pragma once
// Recording for the whole server (`--recordings-dir DIR`): the SFU's
// RoomRecordingFactory. Each start makes a RoomRecordingFolder in
// DIR/<room>/<recording-id>/; one RecordingWriterThread, owned here, writes
// every recorded track of every room (docs/recording.md). Outlives the
// media workers that use it.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "sfu/RoomRecordingFactory.hpp"

namespace ct::record {

class RecordingWriterThread;

class RoomRecorder final : public sfu::RoomRecordingFactory {
 public:
  explicit RoomRecorder(std::filesystem::path directory);
  ~RoomRecorder() override;
  RoomRecorder(const RoomRecorder&) = delete;
  RoomRecorder& operator=(const RoomRecorder&) = delete;

  std::unique_ptr<sfu::RoomRecording> start(const std::string& room, const std::string& started_by,
                                            bool e2ee) const override;

  // A new recording id: the UTC start time and a random suffix, sortable and
  // safe as a folder name ("20261207T001502Z-a1B2c3").
  static std::string new_id();

  const std::filesystem::path& directory() const { return directory_; }

  // Called (on the writer thread) with each recording's folder once it is
  // complete: stopped, manifest written, every track file closed. Set
  // before the first recording starts; e.g. the RecordingUploader's enqueue.
  void on_recording_complete(std::function<void(const std::filesystem::path&)> listener);

 private:
  std::filesystem::path directory_;
  std::unique_ptr<RecordingWriterThread> writer_;
};

}  // namespace ct::record
