#include "record/RecoveredManifest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "record/RecordingManifest.hpp"
#include "record/TrackCodec.hpp"

namespace ct::record {
namespace {

using nlohmann::json;

int64_t unix_ms(uint64_t unix_us) { return int64_t(unix_us / 1000); }

// "<participant>-<track sid>": the sid (TR_ and letters, digits) never holds
// a '-', the participant may.
std::pair<std::string, std::string> split_name(const std::string& name) {
  const size_t dash = name.rfind('-');
  if (dash == std::string::npos) return {name, ""};
  return {name.substr(0, dash), name.substr(dash + 1)};
}

}  // namespace

RecoveredManifest RecoveredManifest::make(const std::optional<std::string>& old_text, const std::string& room,
                                          const std::string& id, const std::vector<RecoveredTrack>& tracks) {
  RecoveredManifest result;
  json m = json::object();
  if (!old_text) {
    result.reason = "manifest.json is missing";
  } else if (const auto parsed = RecordingManifest::parse(*old_text); !parsed.manifest) {
    result.reason = parsed.error;
  } else if (!parsed.manifest->stopped_at_ms || parsed.manifest->state == "recording") {
    result.reason = "manifest.json says the recording never stopped";
    m = json::parse(*old_text);  // valid: parse() read it
  } else {
    return result;  // complete
  }
  result.needed = true;

  // The dumps' own times: the first and the last packet of all.
  std::optional<int64_t> first_ms, last_ms;
  for (const auto& t : tracks) {
    if (!t.first_packet_us) continue;
    first_ms = std::min(first_ms.value_or(INT64_MAX), unix_ms(*t.first_packet_us));
    last_ms = std::max(last_ms.value_or(INT64_MIN), unix_ms(*t.last_packet_us));
  }
  std::optional<int64_t> started_ms;
  if (m.contains("started_at") && m["started_at"].is_string())
    started_ms = parse_utc_time_ms(m["started_at"].get<std::string>());
  if (!started_ms) started_ms = first_ms;
  if (!started_ms) started_ms = 0;
  const int64_t stopped_ms = std::max(last_ms.value_or(*started_ms), *started_ms);

  if (!m.contains("room") || !m["room"].is_string()) m["room"] = room;
  if (!m.contains("id") || !m["id"].is_string()) m["id"] = id;
  m["state"] = "stopped";
  m["recovered"] = true;
  m["started_at"] = utc_time_text(*started_ms);
  m["stopped_at"] = utc_time_text(stopped_ms);
  if (!m.contains("started_by")) m["started_by"] = nullptr;
  m["stopped_by"] = nullptr;  // nobody: the recording was cut short
  if (!m.contains("e2ee") || !m["e2ee"].is_boolean()) m["e2ee"] = nullptr;  // not known without a manifest
  if (!m.contains("tracks") || !m["tracks"].is_array()) m["tracks"] = json::array();

  json& entries = m["tracks"];
  for (const auto& t : tracks) {
    const std::string dump_name = t.dump.filename().string();
    auto entry = std::find_if(entries.begin(), entries.end(), [&](const json& e) {
      return e.is_object() && e.contains("rtpdump") && e["rtpdump"] == dump_name;
    });
    if (entry == entries.end()) {
      const auto [participant, sid] = split_name(t.dump.stem().string());
      const auto codec = track_codec_from_name(t.codec);
      json e = {{"participant", participant},
                {"sid", sid},
                {"kind", codec == TrackCodec::Vp8 ? "video" : "audio"},
                {"source", nullptr},
                {"codec", codec ? json(std::string(track_codec_name(*codec))) : json(t.codec)},
                {"rtpdump", dump_name}};
      entries.push_back(std::move(e));
      entry = entries.end() - 1;
    }
    json& e = *entry;
    e["file"] = t.playable() ? json(t.webm.filename().string()) : json(nullptr);
    e["packets"] = t.packets;
    if (!e.contains("packets_dropped")) e["packets_dropped"] = nullptr;
    if (t.first_packet_us) {
      e["first_packet_at"] = utc_time_text(unix_ms(*t.first_packet_us));
      e["first_packet_offset_ms"] = unix_ms(*t.first_packet_us) - *started_ms;
    } else {
      e["first_packet_at"] = nullptr;
      e["first_packet_offset_ms"] = nullptr;
    }
  }
  result.text = m.dump(2) + "\n";
  return result;
}

}  // namespace ct::record
