#include "record/RecordingUploadState.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

namespace ct::record {

using nlohmann::json;

std::optional<RecordingUploadState> RecordingUploadState::parse(std::string_view text) {
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) return std::nullopt;
  const auto version = root.find("version");
  const auto stored = root.find("stored");
  const auto targets = root.find("targets");
  if (version == root.end() || !version->is_number_unsigned() || version->get<uint64_t>() != 1)
    return std::nullopt;
  if (stored == root.end() || !stored->is_boolean()) return std::nullopt;
  if (targets == root.end() || !targets->is_object()) return std::nullopt;
  RecordingUploadState state;
  state.stored_ = stored->get<bool>();
  for (const auto& [target, entry] : targets->items()) {
    if (!entry.is_object()) return std::nullopt;
    const auto files = entry.find("files");
    if (files == entry.end() || !files->is_object()) return std::nullopt;
    Files& out = state.targets_[target];
    for (const auto& [name, f] : files->items()) {
      if (!f.is_object()) return std::nullopt;
      const auto done = f.find("done");
      const auto size = f.find("size");
      const auto attempts = f.find("attempts");
      const auto error = f.find("last_error");
      if (done == f.end() || !done->is_boolean() || size == f.end() || !size->is_number_unsigned() ||
          attempts == f.end() || !attempts->is_number_unsigned() || error == f.end() ||
          !(error->is_null() || error->is_string()))
        return std::nullopt;
      out[name] = FileState{done->get<bool>(), size->get<uint64_t>(), attempts->get<uint64_t>(),
                            error->is_string() ? error->get<std::string>() : std::string()};
    }
  }
  return state;
}

std::string RecordingUploadState::serialize() const {
  json targets = json::object();
  for (const auto& [target, files] : targets_) {
    json out = json::object();
    for (const auto& [name, f] : files) {
      out[name] = {{"done", f.done},
                   {"size", f.size},
                   {"attempts", f.attempts},
                   {"last_error", f.last_error.empty() ? json(nullptr) : json(f.last_error)}};
    }
    targets[target] = {{"files", std::move(out)}};
  }
  // Replacement characters instead of an exception for names or errors that are not UTF-8.
  return json{{"version", 1}, {"stored", stored_}, {"targets", std::move(targets)}}.dump(
             2, ' ', false, json::error_handler_t::replace) +
         "\n";
}

RecordingUploadState RecordingUploadState::load(const std::filesystem::path& folder) {
  std::ifstream in(folder / kFileName);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str()).value_or(RecordingUploadState{});
}

bool RecordingUploadState::save(const std::filesystem::path& folder) const {
  const auto path = folder / kFileName;
  const auto partial = folder / (std::string(kFileName) + ".partial");
  {
    std::ofstream out(partial, std::ios::trunc);
    out << serialize();
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  return !ec;
}

bool RecordingUploadState::confirmed(const std::string& target, const std::string& name,
                                     uint64_t size) const {
  const auto t = targets_.find(target);
  if (t == targets_.end()) return false;
  const auto f = t->second.find(name);
  return f != t->second.end() && f->second.done && f->second.size == size;
}

}  // namespace ct::record
