#pragma once
// Puts finished recordings into object storage and applies the retention
// period, on a thread of its own (never the media or writer threads).
//
// A recording is handed over (enqueue) once it is complete: its final
// manifest written and every track file closed by the writer thread. At
// start the uploader also scans the recordings directory for complete
// folders not yet stored (a restart resumes). Each folder goes to every
// target, file by file, manifest.json last, each one confirmed by a HEAD of
// its size; upload.json in the folder records the progress. Only when every
// target confirmed every file is the recording stored, and only then is the
// local folder deleted (unless keep_local). A failed folder is tried again
// after a delay that doubles from retry_initial_delay up to
// retry_max_delay, for as long as the server runs, and its files stay.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "objectstore/RetryPolicy.hpp"
#include "objectstore/S3Client.hpp"
#include "objectstore/S3FileUpload.hpp"
#include "objectstore/S3Target.hpp"

namespace ct::record {

struct RecordingUploaderConfig {
  std::filesystem::path recordings_dir;
  std::vector<objectstore::S3Target> targets;  // none: retention only
  objectstore::S3FileUpload::Settings upload;
  objectstore::RetryPolicy::Settings request_retry;  // per request, inside one attempt
  bool keep_local = false;
  std::chrono::milliseconds retry_initial_delay{1000};
  std::chrono::milliseconds retry_max_delay{std::chrono::minutes(5)};
  std::chrono::seconds retention{0};  // 0: keep forever
};

class RecordingUploader {
 public:
  struct Stats {
    uint64_t files_uploaded = 0;        // confirmed by a target
    uint64_t file_upload_failures = 0;  // an attempt that did not end confirmed
    uint64_t bytes_uploaded = 0;        // request bodies the stores accepted
    uint64_t requests = 0;
    uint64_t retries = 0;  // requests repeated after a transient failure
    uint64_t recordings_stored = 0;
    uint64_t recordings_pending = 0;  // complete, not yet stored everywhere
    uint64_t retention_deleted_local = 0;
    uint64_t retention_deleted_remote = 0;
    uint64_t retention_failures = 0;
  };

  explicit RecordingUploader(RecordingUploaderConfig config);
  ~RecordingUploader();
  RecordingUploader(const RecordingUploader&) = delete;
  RecordingUploader& operator=(const RecordingUploader&) = delete;

  // From any thread: a complete recording folder to store.
  void enqueue(const std::filesystem::path& folder);
  // Ends the thread; an upload under way is cut short and resumes at the next start.
  void stop();
  Stats stats() const;

  // The object key of `file` in `folder` (DIR/<room>/<id>/): <prefix><room>/<id>/<file>.
  static std::string object_key(const objectstore::S3Target& target, const std::filesystem::path& folder,
                                const std::string& file);
  // The files of a folder to upload, manifest.json last; no upload state, no partial files.
  static std::vector<std::string> files_to_upload(const std::filesystem::path& folder);

 private:
  enum class Outcome { Stored, Retry, Gone };
  struct Pending {
    std::chrono::steady_clock::time_point due;
    unsigned failures = 0;
  };

  void run();
  void scan();
  Outcome store(const std::filesystem::path& folder);
  void apply_retention();

  const RecordingUploaderConfig config_;
  std::vector<std::unique_ptr<objectstore::S3Client>> clients_;  // one per target, uploader thread only
  objectstore::S3Counters counters_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::filesystem::path> incoming_;  // guarded by mutex_

  std::map<std::filesystem::path, Pending> pending_;  // uploader thread only
  std::atomic<uint64_t> files_uploaded_{0}, file_upload_failures_{0}, recordings_stored_{0},
      recordings_pending_{0}, retention_deleted_local_{0}, retention_deleted_remote_{0},
      retention_failures_{0};
  std::thread thread_;
};

}  // namespace ct::record
