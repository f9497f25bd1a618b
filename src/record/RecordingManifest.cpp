#include "record/RecordingManifest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace ct::record {
namespace {

using nlohmann::json;

constexpr int64_t kLastUtcTimeMs = 253402300799999;  // 9999-12-31T23:59:59.999Z

bool digits(std::string_view text, size_t at, size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<std::string> optional_string(const json& j, const char* key, std::string& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return std::string("'") + key + "' is not a string";
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<std::string> optional_integer(const json& j, const char* key, std::optional<int64_t>& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) {
    out = it->get<int64_t>();
  } else if (it->is_number_float() && std::abs(it->get<double>()) < 1e15) {
    out = int64_t(it->get<double>());
  } else {
    return std::string("'") + key + "' is not a number";
  }
  return std::nullopt;
}

// A name FFmpeg and the file system both read as a file in the folder.
bool plain_file_name(const std::string& name) {
  return name.empty() ||
         (name.find('/') == std::string::npos && name.front() != '.' && name.find('\0') == std::string::npos);
}

std::optional<std::string> read_track(const json& j, RecordingManifest::Track& t) {
  if (!j.is_object()) return "is not an object";
  for (auto [key, field] : {std::pair{"participant", &t.participant},
                            {"sid", &t.sid},
                            {"kind", &t.kind},
                            {"source", &t.source},
                            {"codec", &t.codec},
                            {"file", &t.file},
                            {"rtpdump", &t.rtpdump}}) {
    if (auto error = optional_string(j, key, *field)) return error;
  }
  if (t.kind != "audio" && t.kind != "video") return "'kind' is neither \"audio\" nor \"video\"";
  if (!plain_file_name(t.file)) return "'file' is not a plain file name in the folder";
  if (!plain_file_name(t.rtpdump)) return "'rtpdump' is not a plain file name in the folder";
  if (auto error = optional_integer(j, "first_packet_offset_ms", t.first_packet_offset_ms)) return error;
  if (auto error = optional_integer(j, "start_offset_ms", t.start_offset_ms)) return error;
  std::optional<int64_t> packets;
  if (auto error = optional_integer(j, "packets", packets)) return error;
  t.packets = packets && *packets > 0 ? uint64_t(*packets) : 0;
  return std::nullopt;
}

RecordingManifest::Parsed failed(std::string error) {
  return {std::nullopt, "manifest.json: " + std::move(error)};
}

}  // namespace

std::optional<int64_t> parse_utc_time_ms(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff…]Z
  int year, month, day, hour, minute, second;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !digits(text, 5, 2, month) ||
      text[7] != '-' || !digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't') ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' ||
      !digits(text, 17, 2, second))
    return std::nullopt;
  // No recording happened before 1970; what utc_time_text writes reads back.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60)
    return std::nullopt;
  size_t at = 19;
  int64_t ms = 0;
  if (text[at] == '.') {
    ++at;
    int64_t scale = 100;
    const size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      ms += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  if (at + 1 != text.size() || (text[at] != 'Z' && text[at] != 'z')) return std::nullopt;
  const int64_t days = days_from_civil(year, month, day);
  return ((days * 24 + hour) * 60 + minute) * 60000 + int64_t(second) * 1000 + ms;
}

std::string utc_time_text(int64_t unix_ms) {
  // Within what parse_utc_time_ms reads: 1970 to the end of 9999.
  unix_ms = std::clamp<int64_t>(unix_ms, 0, kLastUtcTimeMs);
  const int64_t ms = ((unix_ms % 1000) + 1000) % 1000;
  const std::time_t seconds = std::time_t((unix_ms - ms) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[48];
  const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", int(ms));
  return text;
}

std::optional<int64_t> RecordingManifest::duration_ms() const {
  if (!stopped_at_ms) return std::nullopt;
  return *stopped_at_ms - started_at_ms;
}

RecordingManifest::Parsed RecordingManifest::parse(std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return failed("not valid JSON");
  if (!j.is_object()) return failed("not a JSON object");
  RecordingManifest m;
  for (auto [key, field] : {std::pair{"room", &m.room}, {"id", &m.id}, {"state", &m.state}}) {
    if (auto error = optional_string(j, key, *field)) return failed(*error);
  }
  if (!m.state.empty() && m.state != "recording" && m.state != "stopped")
    return failed("'state' is neither \"recording\" nor \"stopped\"");
  std::string started, stopped;
  if (auto error = optional_string(j, "started_at", started)) return failed(*error);
  const auto started_ms = parse_utc_time_ms(started);
  if (!started_ms) return failed("'started_at' is not a UTC time like 2026-12-07T00:15:02.125Z");
  m.started_at_ms = *started_ms;
  if (auto error = optional_string(j, "stopped_at", stopped)) return failed(*error);
  if (!stopped.empty()) {
    m.stopped_at_ms = parse_utc_time_ms(stopped);
    if (!m.stopped_at_ms) return failed("'stopped_at' is not a UTC time like 2026-12-07T00:15:02.125Z");
    if (*m.stopped_at_ms < m.started_at_ms) return failed("'stopped_at' is before 'started_at'");
  }
  for (auto [key, field] : {std::pair{"e2ee", &m.e2ee}, {"recovered", &m.recovered}}) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_boolean()) return failed(std::string("'") + key + "' is not true or false");
    *field = it->get<bool>();
  }
  const auto tracks = j.find("tracks");
  if (tracks == j.end() || !tracks->is_array()) return failed("'tracks' is not a list");
  for (size_t i = 0; i < tracks->size(); ++i) {
    Track t;
    if (auto error = read_track((*tracks)[i], t))
      return failed("track " + std::to_string(i + 1) + ": " + *error);
    m.tracks.push_back(std::move(t));
  }
  return {std::move(m), ""};
}

}  // namespace ct::record
