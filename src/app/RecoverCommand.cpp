#include "app/RecoverCommand.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "record/RecoveredManifest.hpp"
#include "record/Recovery.hpp"

namespace ct::app {
namespace {

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool write_atomically(const std::filesystem::path& path, const std::string& text) {
  const auto partial = std::filesystem::path(path).concat(".partial");
  {
    std::ofstream out(partial, std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  return !ec;
}

int run_recover(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    std::fprintf(stderr, "ciphertalk recover: %s: no such recording folder\n", folder.c_str());
    return 2;
  }
  const auto tracks = record::recover(folder);
  size_t playable = 0;
  for (const auto& t : tracks) {
    const char* cut = t.corrupt     ? ", corrupt after the last good record"
                      : t.truncated ? ", last record cut short"
                                    : "";
    if (t.playable()) {
      ++playable;
      std::printf("recover: %s: %llu packets%s -> %s: %llu frames\n", t.dump.filename().c_str(),
                  static_cast<unsigned long long>(t.packets), cut, t.webm.filename().c_str(),
                  static_cast<unsigned long long>(t.frames));
    } else {
      std::printf("recover: %s: %llu packets%s -> nothing written: %s\n", t.dump.filename().c_str(),
                  static_cast<unsigned long long>(t.packets), cut, t.error.c_str());
    }
  }
  if (tracks.empty()) std::printf("recover: %s holds no .rtpdump file\n", folder.c_str());

  const auto manifest_path = folder / "manifest.json";
  const auto absolute = std::filesystem::absolute(folder, ec).lexically_normal();
  const auto id = absolute.has_filename() ? absolute.filename() : absolute.parent_path().filename();
  const auto room = absolute.has_filename() ? absolute.parent_path().filename()
                                            : absolute.parent_path().parent_path().filename();
  const auto manifest =
      record::RecoveredManifest::make(read_text(manifest_path), room.string(), id.string(), tracks);
  if (manifest.needed) {
    if (!write_atomically(manifest_path, manifest.text)) {
      std::fprintf(stderr, "ciphertalk recover: cannot write %s\n", manifest_path.c_str());
      return 1;
    }
    std::printf("recover: %s written, marked recovered (%s)\n", manifest_path.filename().c_str(),
                manifest.reason.c_str());
  } else {
    std::printf("recover: %s is complete, kept as it is\n", manifest_path.filename().c_str());
  }
  if (playable == 0) {
    std::fprintf(stderr, "ciphertalk recover: nothing playable came out of %s\n", folder.c_str());
    return 1;
  }
  std::printf("recover: %zu of %zu tracks playable\n", playable, tracks.size());
  return 0;
}

}  // namespace

void add_recover_command(CLI::App& app) {
  auto folder = std::make_shared<std::string>();
  auto* cmd =
      app.add_subcommand("recover", "Rebuild a recording's files (and manifest) from its raw RTP dumps");
  cmd->add_option("folder", *folder, "The recording folder (DIR/<room>/<recording-id>)")->required();
  cmd->callback([folder] {
    const int code = run_recover(*folder);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace ct::app
