#pragma once
// Test support: a temporary directory that removes itself, whole-file
// reads, and running FFmpeg's command-line tools with their output kept.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ct::record::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ct-record-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs `command` through the shell; standard error goes to `err_file`.
inline CommandResult run(const std::string& command, const std::string& err_file) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>" + err_file).c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::vector<uint8_t> err = read_file(err_file);
  result.err.assign(err.begin(), err.end());
  return result;
}

// The per-frame MD5s in `ffmpeg -f framemd5` output, in order.
inline std::vector<std::string> parse_framemd5(const std::string& out) {
  std::vector<std::string> md5;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    md5.push_back(line.substr(line.rfind(',') + 1));
    md5.back().erase(0, md5.back().find_first_not_of(' '));
  }
  return md5;
}

// FFmpeg is a test dependency (scripts/setup installs it): its absence is a
// failure, never a skipped test.
inline bool have_ffmpeg() {
  return std::system("command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1") == 0;
}
#define CT_REQUIRE_FFMPEG() \
  ASSERT_TRUE(::ct::record::test::have_ffmpeg()) << "ffmpeg and ffprobe are needed: run scripts/setup"

}  // namespace ct::record::test
