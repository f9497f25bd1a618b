#include "core/Log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <array>
#include <string>
#include <utility>

#include "core/JsonLogFormatter.hpp"

namespace ct {

bool configure_logging(std::string_view level, LogFormat format) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") return false;
  spdlog::drop("ciphertalk");
  auto logger = spdlog::stderr_color_mt("ciphertalk");
  JsonLogFormatter::set_json_logger(format == LogFormat::json ? logger.get() : nullptr);
  if (format == LogFormat::json) {
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%t] %v");
  }
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  return true;
}

bool parse_log_format(std::string_view name, LogFormat& format) {
  if (name == "text") {
    format = LogFormat::text;
  } else if (name == "json") {
    format = LogFormat::json;
  } else {
    return false;
  }
  return true;
}

void log_event(spdlog::level::level_enum level, const LogFields& fields, std::string_view message) {
  auto logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  const std::array<std::pair<std::string_view, std::string_view>, 7> named = {
      {{"room", fields.room},
       {"participant", fields.participant},
       {"event", fields.event},
       {"outcome", fields.outcome},
       {"reason", fields.reason},
       {"track", fields.track},
       {"remote", fields.remote}}};
  JsonLogFormatter::Fields scope(named);  // read by the JSON formatter while this line is written
  if (JsonLogFormatter::active(*logger)) {
    logger->log(level, message);
    return;
  }
  std::string text(message);
  for (const auto& [key, value] : named) {
    if (value.empty()) continue;
    text += ' ';
    text += key;
    text += '=';
    text += value;
  }
  logger->log(level, text);
}

}  // namespace ct
