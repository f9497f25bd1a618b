#include "record/RecordingRetention.hpp"

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/Log.hpp"
#include "objectstore/S3Client.hpp"
#include "record/RecordingUploadState.hpp"

namespace ct::record {

bool RecordingRetention::is_complete(const std::filesystem::path& folder) {
  std::ifstream in(folder / "manifest.json");
  if (!in) return false;
  const auto manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object()) return false;
  if (const auto state = manifest.find("state"); state != manifest.end()) {
    return state->is_string() && state->get<std::string>() == "stopped";
  }
  const auto stopped_at = manifest.find("stopped_at");
  return stopped_at != manifest.end() && stopped_at->is_string();
}

bool RecordingRetention::is_recording_id(std::string_view name) {
  // YYYYMMDDTHHMMSSZ-xxxxxx
  if (name.size() != 23 || name[8] != 'T' || name[15] != 'Z' || name[16] != '-') return false;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  for (size_t i = 17; i < name.size(); ++i) {
    if (!std::isalnum(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

RecordingRetention::Sweep RecordingRetention::sweep_local(const std::filesystem::path& recordings_dir,
                                                          WallClock::time_point now,
                                                          std::chrono::seconds retention) {
  namespace fs = std::filesystem;
  Sweep sweep;
  std::error_code ec;
  for (const auto& room : fs::directory_iterator(recordings_dir, ec)) {
    if (!room.is_directory()) continue;
    std::error_code room_ec;
    for (const auto& entry : fs::directory_iterator(room.path(), room_ec)) {
      const auto& folder = entry.path();
      if (!entry.is_directory() || !is_recording_id(folder.filename().string()) || !is_complete(folder))
        continue;
      std::error_code time_ec;
      const auto written = fs::last_write_time(folder / "manifest.json", time_ec);
      if (time_ec) continue;
      const auto stopped =
          std::chrono::time_point_cast<WallClock::duration>(std::chrono::file_clock::to_sys(written));
      if (now - stopped < retention) continue;
      if (!RecordingUploadState::load(folder).stored()) {
        spdlog::warn("recording retention: {} was never stored in object storage; deleting it anyway",
                     folder.string());
      }
      std::error_code rm_ec;
      fs::remove_all(folder, rm_ec);
      if (rm_ec) {
        if (sweep.failed++ == 0) sweep.error = folder.string() + ": " + rm_ec.message();
        continue;
      }
      ++sweep.deleted;
      spdlog::info("recording retention: deleted {}", folder.string());
    }
    fs::remove(room.path(), room_ec);  // only if now empty
  }
  return sweep;
}

RecordingRetention::Sweep RecordingRetention::sweep_remote(objectstore::S3Client& client,
                                                           WallClock::time_point now,
                                                           std::chrono::seconds retention) {
  Sweep sweep;
  const std::string& prefix = client.target().prefix;
  std::string token;
  for (;;) {
    objectstore::ListObjectsPage page;
    const auto listed = client.list_objects(prefix, token, page);
    if (!listed.ok()) {
      ++sweep.failed;
      sweep.error = "listing " + client.target().name() + ": " + listed.error;
      return sweep;
    }
    for (const auto& object : page.objects) {
      if (now - object.last_modified < retention) continue;
      // <prefix><room>/<id>/<file>, nothing else.
      const std::string_view rest = std::string_view(object.key).substr(prefix.size());
      const size_t first = rest.find('/');
      const size_t second = first == std::string_view::npos ? first : rest.find('/', first + 1);
      if (second == std::string_view::npos || rest.find('/', second + 1) != std::string_view::npos ||
          !is_recording_id(rest.substr(first + 1, second - first - 1)))
        continue;
      const auto deleted = client.delete_object(object.key);
      if (!deleted.ok()) {
        if (sweep.failed++ == 0) sweep.error = object.key + ": " + deleted.error;
        continue;
      }
      ++sweep.deleted;
    }
    if (!page.truncated) break;
    token = page.next_continuation_token;
  }
  if (sweep.deleted) {
    spdlog::info("recording retention: deleted {} objects from {}", sweep.deleted, client.target().name());
  }
  return sweep;
}

}  // namespace ct::record
