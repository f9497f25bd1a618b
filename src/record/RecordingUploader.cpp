#include "record/RecordingUploader.hpp"

#include <algorithm>
#include <system_error>

#include "core/Log.hpp"
#include "record/RecordingRetention.hpp"
#include "record/RecordingUploadState.hpp"

namespace ct::record {
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

RecordingUploader::RecordingUploader(RecordingUploaderConfig config) : config_(std::move(config)) {
  for (const auto& target : config_.targets) {
    auto client =
        std::make_unique<objectstore::S3Client>(target, objectstore::RetryPolicy(config_.request_retry));
    client->set_cancel(&stopping_);
    client->set_counters(&counters_);
    clients_.push_back(std::move(client));
  }
  thread_ = std::thread([this] { run(); });
}

RecordingUploader::~RecordingUploader() { stop(); }

void RecordingUploader::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RecordingUploader::enqueue(const fs::path& folder) {
  if (clients_.empty()) return;  // retention only
  {
    std::lock_guard lock(mutex_);
    incoming_.push_back(folder);
  }
  wake_.notify_all();
}

RecordingUploader::Stats RecordingUploader::stats() const {
  Stats s;
  s.files_uploaded = files_uploaded_.load();
  s.file_upload_failures = file_upload_failures_.load();
  s.bytes_uploaded = counters_.bytes_sent.load();
  s.requests = counters_.requests.load();
  s.retries = counters_.retries.load();
  s.recordings_stored = recordings_stored_.load();
  s.recordings_pending = recordings_pending_.load();
  s.retention_deleted_local = retention_deleted_local_.load();
  s.retention_deleted_remote = retention_deleted_remote_.load();
  s.retention_failures = retention_failures_.load();
  return s;
}

std::string RecordingUploader::object_key(const objectstore::S3Target& target, const fs::path& folder,
                                          const std::string& file) {
  return target.prefix + folder.parent_path().filename().string() + "/" + folder.filename().string() + "/" +
         file;
}

std::vector<std::string> RecordingUploader::files_to_upload(const fs::path& folder) {
  std::vector<std::string> files;
  bool manifest = false;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name == RecordingUploadState::kFileName || name.ends_with(".partial")) continue;
    if (name == "manifest.json") {
      manifest = true;
      continue;
    }
    files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  // Last: a manifest in the store means the recording's files are there.
  if (manifest) files.push_back("manifest.json");
  return files;
}

void RecordingUploader::scan() {
  std::error_code ec;
  for (const auto& room : fs::directory_iterator(config_.recordings_dir, ec)) {
    if (!room.is_directory()) continue;
    std::error_code room_ec;
    for (const auto& entry : fs::directory_iterator(room.path(), room_ec)) {
      const auto& folder = entry.path();
      if (!entry.is_directory() || !RecordingRetention::is_complete(folder)) continue;
      if (RecordingUploadState::load(folder).stored()) {
        if (!config_.keep_local) pending_[folder] = {};  // stored, but the delete did not happen
        continue;
      }
      pending_[folder] = {};
    }
  }
  if (!pending_.empty()) {
    spdlog::info("recording upload: {} recordings in {} to store", pending_.size(),
                 config_.recordings_dir.string());
  }
}

void RecordingUploader::run() {
  if (!clients_.empty()) scan();
  const bool retention = config_.retention.count() > 0;
  // Often enough that nothing outlives the period by much, rarely enough to cost nothing.
  const auto retention_interval = std::clamp<SteadyClock::duration>(
      config_.retention / 4, std::chrono::seconds(1), std::chrono::hours(1));
  auto next_retention = SteadyClock::now();
  const objectstore::RetryPolicy backoff({~0u, config_.retry_initial_delay, config_.retry_max_delay});
  while (!stopping_) {
    {
      std::lock_guard lock(mutex_);
      for (auto& folder : incoming_) pending_[folder] = {};
      incoming_.clear();
    }
    recordings_pending_ = pending_.size();
    for (auto it = pending_.begin(); it != pending_.end() && !stopping_;) {
      if (it->second.due > SteadyClock::now()) {
        ++it;
        continue;
      }
      const Outcome outcome = store(it->first);
      if (outcome == Outcome::Retry && !stopping_) {
        const auto delay = backoff.delay(++it->second.failures);
        it->second.due = SteadyClock::now() + delay;
        spdlog::warn("recording upload: {} not stored yet; trying again in {} ms (the local copy stays)",
                     it->first.string(), delay.count());
        ++it;
      } else if (outcome != Outcome::Retry) {
        it = pending_.erase(it);
      } else {
        ++it;
      }
      recordings_pending_ = pending_.size();
    }
    if (retention && !stopping_ && SteadyClock::now() >= next_retention) {
      apply_retention();
      next_retention = SteadyClock::now() + retention_interval;
    }
    auto wake_at = SteadyClock::now() + std::chrono::hours(1);
    if (retention) wake_at = std::min(wake_at, next_retention);
    for (const auto& [folder, p] : pending_) wake_at = std::min(wake_at, p.due);
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, wake_at, [this] { return stopping_ || !incoming_.empty(); });
  }
}

RecordingUploader::Outcome RecordingUploader::store(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return Outcome::Gone;  // deleted meanwhile (retention, an operator)
  if (!RecordingRetention::is_complete(folder)) {
    spdlog::warn("recording upload: {} has no final manifest; not uploaded", folder.string());
    return Outcome::Gone;
  }
  RecordingUploadState state = RecordingUploadState::load(folder);
  if (!state.stored()) {
    const auto files = files_to_upload(folder);
    bool all_confirmed = true;
    for (const auto& client : clients_) {
      const std::string target = client->target().name();
      for (const auto& file : files) {
        if (stopping_) return Outcome::Retry;
        const uint64_t size = fs::file_size(folder / file, ec);
        if (ec) {
          all_confirmed = false;
          spdlog::warn("recording upload: cannot read {}: {}", (folder / file).string(), ec.message());
          break;
        }
        if (state.confirmed(target, file, size)) continue;
        auto& entry = state.file(target, file);
        ++entry.attempts;
        entry.done = false;
        const auto key = object_key(client->target(), folder, file);
        const auto outcome = objectstore::S3FileUpload::upload(*client, folder / file, key, config_.upload);
        if (outcome.ok()) {
          entry.done = true;
          entry.size = size;
          entry.last_error.clear();
          ++files_uploaded_;
        } else {
          entry.last_error = outcome.result.error;
          ++file_upload_failures_;
          all_confirmed = false;
          spdlog::warn("recording upload: {} to {}: {} (attempt {})", key, target, outcome.result.error,
                       entry.attempts);
        }
        if (!state.save(folder))
          spdlog::warn("recording upload: cannot write the upload state in {}", folder.string());
        if (!outcome.ok()) break;  // this target later; the others now
      }
    }
    if (!all_confirmed) return Outcome::Retry;
    state.set_stored(true);
    if (!state.save(folder)) {
      spdlog::warn("recording upload: cannot write the upload state in {}", folder.string());
      return Outcome::Retry;
    }
    ++recordings_stored_;
    spdlog::info("recording upload: {} stored on {} target(s){}", folder.string(), clients_.size(),
                 config_.keep_local ? "; the local copy is kept" : "");
  }
  if (!config_.keep_local) {
    fs::remove_all(folder, ec);
    if (ec) {
      spdlog::warn("recording upload: stored, but cannot delete {}: {}", folder.string(), ec.message());
      return Outcome::Retry;
    }
    fs::remove(folder.parent_path(), ec);  // the room's folder, once empty
  }
  return Outcome::Stored;
}

void RecordingUploader::apply_retention() {
  const auto now = RecordingRetention::WallClock::now();
  const auto local = RecordingRetention::sweep_local(config_.recordings_dir, now, config_.retention);
  retention_deleted_local_ += local.deleted;
  retention_failures_ += local.failed;
  if (local.failed)
    spdlog::warn("recording retention: {} local deletions failed ({})", local.failed, local.error);
  for (const auto& client : clients_) {
    if (stopping_) return;
    const auto remote = RecordingRetention::sweep_remote(*client, now, config_.retention);
    retention_deleted_remote_ += remote.deleted;
    retention_failures_ += remote.failed;
    if (remote.failed)
      spdlog::warn("recording retention: {} failures on {} ({})", remote.failed, client->target().name(),
                   remote.error);
  }
}

}  // namespace ct::record
