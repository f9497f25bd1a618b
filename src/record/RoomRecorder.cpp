#include "record/RoomRecorder.hpp"

#include <chrono>
#include <ctime>
#include <system_error>

#include "core/Log.hpp"
#include "core/Random.hpp"
#include "record/PayloadDump.hpp"
#include "record/RecordingWriterThread.hpp"
#include "record/RoomRecordingFolder.hpp"

namespace ct::record {

RoomRecorder::RoomRecorder(std::filesystem::path directory)
    : directory_(std::move(directory)), writer_(std::make_unique<RecordingWriterThread>()) {}

RoomRecorder::~RoomRecorder() { writer_->stop(); }

void RoomRecorder::on_recording_complete(std::function<void(const std::filesystem::path&)> listener) {
  writer_->set_folder_closed_listener(std::move(listener));
}

std::string RoomRecorder::new_id() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return std::string(stamp) + "-" + random_token(6);
}

std::unique_ptr<sfu::RoomRecording> RoomRecorder::start(const std::string& room,
                                                        const std::string& started_by, bool e2ee) const {
  const std::string id = new_id();
  const auto folder = directory_ / PayloadDump::path_component(room) / id;
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    spdlog::error("recording: cannot create {}: {}", folder.string(), ec.message());
    return nullptr;
  }
  RoomRecordingFolder::Info info;
  info.room = room;
  info.id = id;
  info.started_by = started_by;
  info.e2ee = e2ee;
  return std::make_unique<RoomRecordingFolder>(folder, std::move(info), *writer_);
}

}  // namespace ct::record
