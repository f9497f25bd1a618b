#pragma once
// The files under one directory that GET and HEAD may read: request paths
// are mapped onto the directory without ever leaving it, neither through ".."
// nor through a symlink.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ct::http {

class StaticFiles {
 public:
  // Throws std::runtime_error when `root` is not a readable directory.
  explicit StaticFiles(const std::string& root);

  // The canonical root directory.
  const std::filesystem::path& root() const { return root_; }

  // The canonical regular file that a decoded request path names ("/" and
  // directories mean their index.html), or nothing when there is no such file
  // inside the root. Rejects ".." before touching the file system, and checks
  // the canonical result so symlinks cannot lead outside the root.
  std::optional<std::filesystem::path> resolve(std::string_view request_path) const;

  // True when a path has a ".." segment: such a request is refused outright.
  static bool has_dot_dot(std::string_view path);

 private:
  std::filesystem::path root_;
};

}  // namespace ct::http
