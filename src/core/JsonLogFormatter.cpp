#include "core/JsonLogFormatter.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/sink.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace ct {
namespace {

thread_local const std::array<JsonLogFormatter::Field, 7>* t_fields = nullptr;
// Set while the default logger writes JSON (configure_logging makes one logger).
std::atomic<const spdlog::logger*> g_json_logger{nullptr};

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

}  // namespace

JsonLogFormatter::Fields::Fields(const std::array<Field, 7>& fields) : previous_(t_fields) {
  t_fields = &fields;
}
JsonLogFormatter::Fields::~Fields() { t_fields = previous_; }

void JsonLogFormatter::escape(std::string_view text, spdlog::memory_buf_t& dest) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      dest.push_back('\\');
      dest.push_back(c);
    } else if (c == '\n') {
      append(dest, "\\n");
    } else if (c == '\r') {
      append(dest, "\\r");
    } else if (c == '\t') {
      append(dest, "\\t");
    } else if (u < 0x20) {
      const char code[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
      dest.append(code, code + sizeof(code));
    } else {
      dest.push_back(c);
    }
  }
}

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const auto since_epoch = msg.time.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char ts[40];
  const size_t n = std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &utc);
  append(dest, "{\"ts\":\"");
  append(dest, std::string_view(ts, n));
  const char fraction[] = {'.', char('0' + millis / 100), char('0' + millis / 10 % 10),
                           char('0' + millis % 10), 'Z'};
  dest.append(fraction, fraction + sizeof(fraction));
  append(dest, "\",\"level\":\"");
  const auto level = spdlog::level::to_string_view(msg.level);
  append(dest, std::string_view(level.data(), level.size()));
  append(dest, "\",\"msg\":\"");
  escape(std::string_view(msg.payload.data(), msg.payload.size()), dest);
  append(dest, "\",\"thread\":");
  append(dest, std::to_string(msg.thread_id));
  if (t_fields) {
    for (const auto& [key, value] : *t_fields) {
      if (value.empty()) continue;
      append(dest, ",\"");
      append(dest, key);
      append(dest, "\":\"");
      escape(value, dest);
      dest.push_back('"');
    }
  }
  append(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

bool JsonLogFormatter::active(const spdlog::logger& logger) { return g_json_logger.load() == &logger; }

void JsonLogFormatter::set_json_logger(const spdlog::logger* logger) { g_json_logger.store(logger); }

}  // namespace ct
