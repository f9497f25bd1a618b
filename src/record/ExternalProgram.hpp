#pragma once
// Runs another program (FFmpeg, for `ciphertalk compose`) to its end: its
// standard output line by line to a callback, the last lines of its standard
// error kept to explain a failure. Not for the media path: it blocks.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ct::record {

class ExternalProgram {
 public:
  struct Result {
    int exit_code = -1;       // 128 + n when killed by signal n
    std::string stderr_tail;  // its last lines of standard error
    std::string error;        // non-empty: it could not be started
  };

  // The first executable `name` in the directories of $PATH (or `path`).
  static std::optional<std::filesystem::path> find(std::string_view name, const char* path);

  static Result run(const std::filesystem::path& program, const std::vector<std::string>& arguments,
                    const std::function<void(std::string_view line)>& on_output_line, size_t tail_lines = 12);
};

}  // namespace ct::record
