#include "record/ExternalProgram.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

extern char** environ;

namespace ct::record {
namespace {

// A pipe's two ends, closed when done with.
struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      read = fds[0];
      write = fds[1];
    }
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return read >= 0; }
  void close_read() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void close_write() {
    if (write >= 0) ::close(write);
    write = -1;
  }
};

// Splits what a pipe gives into lines.
class LineSplitter {
 public:
  template <typename F>
  void add(std::string_view bytes, F&& on_line) {
    buffer_.append(bytes);
    size_t start = 0;
    for (size_t nl; (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
      on_line(std::string_view(buffer_).substr(start, nl - start));
    }
    buffer_.erase(0, start);
    // A line without end is cut, not grown without bound.
    if (buffer_.size() > 64 * 1024) buffer_.erase(0, buffer_.size() - 64 * 1024);
  }
  template <typename F>
  void finish(F&& on_line) {
    if (!buffer_.empty()) on_line(std::string_view(buffer_));
    buffer_.clear();
  }

 private:
  std::string buffer_;
};

}  // namespace

std::optional<std::filesystem::path> ExternalProgram::find(std::string_view name, const char* path) {
  if (!path) return std::nullopt;
  std::string_view dirs(path);
  while (true) {
    const size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    if (!dir.empty()) {
      const auto candidate = std::filesystem::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
        return candidate;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

ExternalProgram::Result ExternalProgram::run(const std::filesystem::path& program,
                                             const std::vector<std::string>& arguments,
                                             const std::function<void(std::string_view)>& on_output_line,
                                             size_t tail_lines) {
  Result result;
  Pipe out, err;
  if (!out.ok() || !err.ok()) {
    result.error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> argv_strings;
  argv_strings.push_back(program.string());
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    result.error = program.string() + ": " + std::strerror(spawned);
    return result;
  }
  out.close_write();
  err.close_write();

  LineSplitter out_lines, err_lines;
  std::deque<std::string> tail;
  auto keep_tail = [&](std::string_view line) {
    if (line.empty()) return;
    tail.emplace_back(line);
    if (tail.size() > tail_lines) tail.pop_front();
  };
  pollfd fds[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
  char buffer[8192];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;  // closed with its Pipe
        continue;
      }
      const std::string_view bytes(buffer, size_t(n));
      if (i == 0) {
        out_lines.add(bytes, on_output_line);
      } else {
        err_lines.add(bytes, keep_tail);
      }
    }
  }
  out_lines.finish(on_output_line);
  err_lines.finish(keep_tail);
  for (const auto& line : tail) result.stderr_tail += line + "\n";

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace ct::record
