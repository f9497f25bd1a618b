#include "record/FfmpegProgress.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace ct::record {
namespace {

std::optional<int64_t> parse_integer(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "HH:MM:SS.micro", as out_time gives it; ffmpeg writes a '-' before it
// when the time is negative, which counts as 0 here.
std::optional<int64_t> parse_clock_us(std::string_view text) {
  if (!text.empty() && text.front() == '-') return 0;
  const size_t first = text.find(':');
  const size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto hours = parse_integer(text.substr(0, first));
  const auto minutes = parse_integer(text.substr(first + 1, second - first - 1));
  std::string_view seconds_text = text.substr(second + 1);
  std::string_view fraction;
  if (const size_t dot = seconds_text.find('.'); dot != std::string_view::npos) {
    fraction = seconds_text.substr(dot + 1);
    seconds_text = seconds_text.substr(0, dot);
  }
  const auto seconds = parse_integer(seconds_text);
  if (!hours || !minutes || !seconds || *hours < 0 || *hours > 1000000 || *minutes < 0 || *minutes > 59 ||
      *seconds < 0 || *seconds > 60 || fraction.size() > 9)
    return std::nullopt;
  int64_t micros = 0, scale = 100000;
  for (const char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    micros += (c - '0') * scale;
    scale /= 10;
  }
  return ((*hours * 60 + *minutes) * 60 + *seconds) * 1000000 + micros;
}

}  // namespace

std::optional<FfmpegProgress::Update> FfmpegProgress::feed(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
  // out_time_us and out_time_ms both count microseconds (the latter is
  // misnamed in ffmpeg); values are "N/A" before the first output.
  if (key == "out_time_us" || key == "out_time_ms") {
    if (const auto us = parse_integer(value); us && *us >= 0) out_time_us_ = *us;
  } else if (key == "out_time") {
    if (const auto us = parse_clock_us(value)) out_time_us_ = *us;
  } else if (key == "progress") {
    if (value == "continue") return Update{out_time_us_, false};
    if (value == "end") return Update{out_time_us_, true};
  }
  return std::nullopt;
}

std::string progress_text(std::string_view what, int64_t done_us, int64_t total_us) {
  done_us = std::max<int64_t>(done_us, 0);
  if (total_us > 0) done_us = std::min(done_us, total_us);
  const int percent = total_us > 0 ? int(done_us * 100 / total_us) : 0;
  char text[128];
  std::snprintf(text, sizeof text, "%.*s: %d%% (%.1f s of %.1f s)", int(what.size()), what.data(), percent,
                double(done_us) / 1e6, double(std::max<int64_t>(total_us, 0)) / 1e6);
  return text;
}

}  // namespace ct::record
