#include "app/ComposeCommand.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>

#include "record/Composer.hpp"
#include "record/FfmpegProgress.hpp"

namespace ct::app {
namespace {

struct ComposeOptions {
  std::string folder, output;
  int width = 1280, height = 720, fps = 25;
  bool force = false;
};

// On a terminal one line that updates in place; otherwise (a log, a pipe)
// plain lines, at most one a second.
class ProgressLine {
 public:
  ProgressLine() : terminal_(::isatty(STDERR_FILENO) == 1) {}

  void update(int64_t done_us, int64_t total_us) {
    const auto now = std::chrono::steady_clock::now();
    const bool done = done_us >= total_us;
    if (!terminal_ && !done && now - last_ < std::chrono::seconds(1)) return;
    if (!terminal_ && done && printed_done_) return;
    last_ = now;
    printed_done_ |= done;
    const auto text = record::progress_text("compose", done_us, total_us);
    if (terminal_) {
      std::fprintf(stderr, "\r%s\033[K", text.c_str());
      open_ = true;
    } else {
      std::fprintf(stderr, "%s\n", text.c_str());
    }
    std::fflush(stderr);
  }
  void end() {
    if (open_) std::fputc('\n', stderr);
    open_ = false;
  }

 private:
  bool terminal_;
  bool open_ = false;
  bool printed_done_ = false;
  std::chrono::steady_clock::time_point last_{};
};

int run_compose(const ComposeOptions& options) {
  record::CompositeOptions composite;
  composite.folder = options.folder;
  composite.output =
      options.output.empty() ? composite.folder / "composite.mp4" : std::filesystem::path(options.output);
  composite.width = options.width;
  composite.height = options.height;
  composite.fps = options.fps;
  ProgressLine progress;
  const auto result = record::Composer::run(composite, options.force, [&](int64_t done_us, int64_t total_us) {
    progress.update(done_us, total_us);
  });
  progress.end();
  for (const auto& skipped : result.skipped) std::fprintf(stderr, "compose: left out %s\n", skipped.c_str());
  if (result.exit_code != record::Composer::kComposed) {
    std::fprintf(stderr, "ciphertalk compose: %s\n", result.message.c_str());
    return result.exit_code;
  }
  const auto& layout = result.layout;
  size_t audio = 0;
  for (const auto& input : layout.inputs) audio += !input.video;
  std::fprintf(stderr,
               "compose: wrote %s (%dx%d, %zu tiles in a %dx%d grid, %zu audio tracks mixed, %.1f s)\n",
               composite.output.c_str(), composite.width, composite.height, layout.tiles.size(),
               layout.columns, layout.rows, audio, double(layout.duration_ms) / 1000);
  return 0;
}

}  // namespace

void add_compose_command(CLI::App& app) {
  auto options = std::make_shared<ComposeOptions>();
  auto* cmd = app.add_subcommand(
      "compose", "Make one grid video with mixed audio from a recording folder (runs ffmpeg from PATH)");
  cmd->add_option("folder", options->folder, "The recording folder (DIR/<room>/<recording-id>)")->required();
  cmd->add_option("-o,--output", options->output,
                  "The composite: .mp4 (H.264/AAC) or .webm (VP8/Opus); "
                  "default <folder>/composite.mp4");
  cmd->add_option("--width", options->width, "Width of the composite in pixels")->capture_default_str();
  cmd->add_option("--height", options->height, "Height of the composite in pixels")->capture_default_str();
  cmd->add_option("--fps", options->fps, "Frame rate of the composite")->capture_default_str();
  cmd->add_flag("--force", options->force,
                "Compose an end-to-end encrypted recording all the same (shows noise)");
  cmd->callback([options] {
    const int code = run_compose(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace ct::app
