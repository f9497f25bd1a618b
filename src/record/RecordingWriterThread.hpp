#pragma once
// The thread that writes recordings to disk: every poll interval it drains
// the ring of each TrackRecording it serves into that track's files, and
// finishes (drains and closes) a recording whose tap is gone. One thread
// serves many tracks: muxing without transcoding costs microseconds per
// packet, so disk writes, not CPU, bound it, and a thread per track would
// only add threads (docs/recording.md).
//
// The media thread never waits for it: producers signal nothing (the
// thread polls, so no wake-up system call per packet), and add() holds a
// mutex only for a vector push, once per track. stop() (or the destructor)
// drains and closes every recording still open.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ct::record {

class TrackRecording;

class RecordingWriterThread {
 public:
  static constexpr std::chrono::milliseconds kDefaultPollInterval{20};

  explicit RecordingWriterThread(std::chrono::milliseconds poll_interval = kDefaultPollInterval);
  ~RecordingWriterThread();
  RecordingWriterThread(const RecordingWriterThread&) = delete;
  RecordingWriterThread& operator=(const RecordingWriterThread&) = delete;

  // From any thread. After stop(), the recording is finished at once.
  void add(std::shared_ptr<TrackRecording> recording);
  // Finishes every recording and ends the thread. Idempotent.
  void stop();
  // Recordings not yet finished.
  size_t active() const;

  // Told, on this thread, when a stopped recording folder is complete: every
  // track recording writing into it has closed its files. Set before the
  // first recording starts.
  void set_folder_closed_listener(std::function<void(const std::filesystem::path&)> listener);
  // From any thread: the recording writing into `folder` has stopped (no
  // more tracks will be added). The listener hears of it once its tracks close.
  void folder_stopped(std::filesystem::path folder);

 private:
  void run(std::stop_token stop);
  // One pass: drains each recording, finishes those whose input closed.
  void poll(std::vector<std::shared_ptr<TrackRecording>>& recordings);
  // Tells the listener of each stopped folder none of `recordings` still writes into.
  void report_closed_folders(const std::vector<std::shared_ptr<TrackRecording>>& recordings);

  const std::chrono::milliseconds poll_interval_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::vector<std::shared_ptr<TrackRecording>> added_;  // guarded by mutex_
  size_t active_ = 0;                                   // guarded by mutex_
  bool stopped_ = false;                                // guarded by mutex_
  std::vector<std::filesystem::path> stopped_folders_;  // guarded by mutex_
  bool all_closed_ = false;                             // guarded by mutex_: the thread has ended
  std::function<void(const std::filesystem::path&)> folder_closed_;
  std::jthread thread_;
};

}  // namespace ct::record
