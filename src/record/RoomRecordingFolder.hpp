#pragma once
// One recording of one room, in its own folder: a TrackRecorder per Opus,
// VP8 or H.264 publication (<participant>-<track>.webm, .mkv for H.264, and
// .rtpdump), and manifest.json, which says what the folder holds
// (docs/recording.md): written at the start and whenever a track is added
// with "state": "recording", and at the end with "state": "stopped".
// Lives on the room's worker thread; the files are written by the
// RecordingWriterThread.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/RoomRecordingFactory.hpp"

namespace ct::record {

class RecordingWriterThread;

class RoomRecordingFolder final : public sfu::RoomRecording {
 public:
  struct Info {
    std::string room;
    std::string id;
    std::string started_by;
    bool e2ee = false;  // the files hold the clients' ciphertext
  };
  // What the manifest says of one track; filled in on the worker thread.
  struct Track {
    std::string participant, sid, kind, source, codec, name;  // name: the files' name without extension
    std::optional<std::chrono::system_clock::time_point> first_packet;
    TimePoint first_arrival{}, last_arrival{};  // the SFU's clock: the track's length as received
    uint64_t packets = 0;                       // handed to the writer thread
    uint64_t packets_dropped = 0;               // lost to the recording (writer too slow)
    // Time zero of the media file on the wall clock (TrackRecording::media_start_unix_us).
    std::optional<std::chrono::system_clock::time_point> media_start;
    std::string extension = ".webm";  // of the media file
  };

  RoomRecordingFolder(std::filesystem::path folder, Info info, RecordingWriterThread& writer);
  ~RoomRecordingFolder() override;

  const std::string& id() const override { return info_.id; }
  std::unique_ptr<sfu::PacketTap> tap_for(const std::string& participant,
                                          const sfu::TrackInfo& track) override;
  void finish(const std::string& stopped_by) override;

  const std::filesystem::path& folder() const { return folder_; }
  std::filesystem::path manifest_path() const { return folder_ / "manifest.json"; }
  // The manifest as finish() writes it (pretty-printed JSON); without a stop
  // time, as it is written while the recording runs.
  std::string manifest(const std::string& stopped_by,
                       std::optional<std::chrono::system_clock::time_point> stopped) const;

 private:
  void write_manifest(const std::string& text) const;

  std::filesystem::path folder_;
  Info info_;
  RecordingWriterThread& writer_;
  std::chrono::system_clock::time_point started_;
  std::vector<std::unique_ptr<Track>> tracks_;  // stable addresses: each tap fills in its own
  bool finished_ = false;
};

}  // namespace ct::record
