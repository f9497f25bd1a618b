#include "record/RecordingWriterThread.hpp"

#include <algorithm>

#include "record/TrackRecording.hpp"

namespace ct::record {

RecordingWriterThread::RecordingWriterThread(std::chrono::milliseconds poll_interval)
    : poll_interval_(poll_interval), thread_([this](std::stop_token stop) { run(stop); }) {}

RecordingWriterThread::~RecordingWriterThread() { stop(); }

void RecordingWriterThread::add(std::shared_ptr<TrackRecording> recording) {
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      added_.push_back(std::move(recording));
      ++active_;
      return;
    }
  }
  recording->finish();
}

void RecordingWriterThread::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();  // wakes the wait
  thread_.join();
}

size_t RecordingWriterThread::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void RecordingWriterThread::run(std::stop_token stop) {
  std::vector<std::shared_ptr<TrackRecording>> recordings;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, poll_interval_, [] { return false; });
      for (auto& recording : added_) recordings.push_back(std::move(recording));
      added_.clear();
      if (stop.stop_requested()) stopped_ = true;  // later add()s finish at once
    }
    if (stopped_) break;
    poll(recordings);
    report_closed_folders(recordings);
  }
  for (auto& recording : recordings) recording->finish();
  std::vector<std::filesystem::path> closed;
  std::function<void(const std::filesystem::path&)> listener;
  {
    std::lock_guard lock(mutex_);
    active_ = 0;
    all_closed_ = true;
    closed.swap(stopped_folders_);
    listener = folder_closed_;
  }
  for (const auto& folder : closed) listener(folder);
}

void RecordingWriterThread::set_folder_closed_listener(
    std::function<void(const std::filesystem::path&)> listener) {
  std::lock_guard lock(mutex_);
  folder_closed_ = std::move(listener);
}

void RecordingWriterThread::folder_stopped(std::filesystem::path folder) {
  std::unique_lock lock(mutex_);
  if (!folder_closed_) return;
  if (!all_closed_) {
    stopped_folders_.push_back(std::move(folder));
    return;
  }
  auto listener = folder_closed_;
  lock.unlock();
  listener(folder);  // the thread has ended: every track is closed
}

void RecordingWriterThread::report_closed_folders(
    const std::vector<std::shared_ptr<TrackRecording>>& recordings) {
  std::vector<std::filesystem::path> closed;
  std::function<void(const std::filesystem::path&)> listener;
  {
    std::lock_guard lock(mutex_);
    if (stopped_folders_.empty()) return;
    // A folder's tracks were add()ed before it stopped, so they are in `recordings` by now.
    std::erase_if(stopped_folders_, [&](const std::filesystem::path& folder) {
      const bool writing = std::any_of(recordings.begin(), recordings.end(),
                                       [&](const auto& r) { return r->config().directory == folder; });
      if (!writing) closed.push_back(folder);
      return !writing;
    });
    listener = folder_closed_;
  }
  for (const auto& folder : closed) listener(folder);
}

void RecordingWriterThread::poll(std::vector<std::shared_ptr<TrackRecording>>& recordings) {
  for (auto& recording : recordings) {
    // Closed first, then drained: every push came before the close.
    if (recording->input_closed()) {
      recording->finish();
    } else {
      recording->drain();
    }
  }
  const auto before = recordings.size();
  std::erase_if(recordings, [](const auto& recording) { return recording->finished(); });
  if (recordings.size() != before) {
    std::lock_guard lock(mutex_);
    active_ -= before - recordings.size();
  }
}

}  // namespace ct::record
