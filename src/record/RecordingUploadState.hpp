#pragma once
// What has been uploaded of one recording folder, kept in the folder as
// upload.json so that a restart resumes where the last run stopped: per
// target (endpoint/bucket) and per file, whether the store confirmed it
// (and at which size), how many attempts it took, and the last error.
// "stored" is set once every target confirmed every file.
//
//   {"version": 1, "stored": false,
//    "targets": {"http://s3.local:9000/rec": {"files": {
//       "bob-TR_x1.webm": {"done": true, "size": 10485760, "attempts": 1, "last_error": null}}}}}
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ct::record {

class RecordingUploadState {
 public:
  static constexpr const char* kFileName = "upload.json";

  struct FileState {
    bool done = false;
    uint64_t size = 0;  // the size the store confirmed
    uint64_t attempts = 0;
    std::string last_error;  // empty: none
    bool operator==(const FileState&) const = default;
  };
  using Files = std::map<std::string, FileState>;

  // Nothing if `text` is not a state this version wrote (wrong types, missing fields, not JSON).
  static std::optional<RecordingUploadState> parse(std::string_view text);
  std::string serialize() const;

  // The folder's upload.json; a fresh state if there is none or it is unreadable
  // (uploading again is safe: the same key gets the same bytes).
  static RecordingUploadState load(const std::filesystem::path& folder);
  // Written whole under another name, then renamed over. False on an I/O error.
  bool save(const std::filesystem::path& folder) const;

  FileState& file(const std::string& target, const std::string& name) { return targets_[target][name]; }
  // Confirmed by `target` at exactly `size` bytes.
  bool confirmed(const std::string& target, const std::string& name, uint64_t size) const;
  const std::map<std::string, Files>& targets() const { return targets_; }

  bool stored() const { return stored_; }
  void set_stored(bool stored) { stored_ = stored; }

  bool operator==(const RecordingUploadState&) const = default;

 private:
  bool stored_ = false;
  std::map<std::string, Files> targets_;
};

}  // namespace ct::record
