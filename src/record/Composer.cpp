#include "record/Composer.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "record/ExternalProgram.hpp"
#include "record/FfmpegProgress.hpp"
#include "record/RecordingManifest.hpp"

namespace ct::record {

Composer::Result Composer::run(const CompositeOptions& options, bool force,
                               const std::function<void(int64_t, int64_t)>& on_progress) {
  Result result;
  auto fail = [&](int code, std::string message) {
    result.exit_code = code;
    result.message = std::move(message);
    return result;
  };
  std::error_code ec;
  if (!std::filesystem::is_directory(options.folder, ec))
    return fail(kBadInput, options.folder.string() + ": no such recording folder");
  const auto manifest_path = options.folder / "manifest.json";
  std::ifstream in(manifest_path);
  if (!in)
    return fail(kBadInput,
                manifest_path.string() +
                    ": not found (a recording cut short by a crash: run `ciphertalk recover` first)");
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = RecordingManifest::parse(text.str());
  if (!parsed.manifest) return fail(kBadInput, options.folder.string() + ": " + parsed.error);
  const RecordingManifest& manifest = *parsed.manifest;
  if (manifest.e2ee && !force)
    return fail(
        kBadInput,
        "the room was end-to-end encrypted: its files hold ciphertext, so a composite would show noise "
        "(--force makes one all the same)");
  if (manifest.tracks.empty()) return fail(kBadInput, "the recording has no tracks");

  result.layout = CompositeLayout::make(manifest, options, [&](const std::string& name) {
    std::error_code exists_error;
    return std::filesystem::is_regular_file(options.folder / name, exists_error);
  });
  result.skipped = result.layout.skipped;
  if (!result.layout.error.empty()) return fail(kBadInput, result.layout.error);

  const auto ffmpeg = ExternalProgram::find("ffmpeg", std::getenv("PATH"));
  if (!ffmpeg) return fail(kNoFfmpeg, "ffmpeg not found on PATH (Debian: apt-get install ffmpeg)");

  const int64_t total_us = result.layout.duration_ms * 1000;
  FfmpegProgress progress;
  const auto run = ExternalProgram::run(*ffmpeg, result.layout.ffmpeg_arguments, [&](std::string_view line) {
    if (const auto update = progress.feed(line); update && on_progress)
      on_progress(update->out_time_us, total_us);
  });
  if (!run.error.empty()) return fail(kFfmpegFailed, run.error);
  if (run.exit_code != 0) {
    return fail(kFfmpegFailed, "ffmpeg failed (exit code " + std::to_string(run.exit_code) + ")" +
                                   (run.stderr_tail.empty() ? "" : ":\n" + run.stderr_tail));
  }
  return result;
}

}  // namespace ct::record
