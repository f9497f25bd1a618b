#pragma once
// Logging: spdlog, one line per event. Levels: trace (per packet, off by
// default), debug, info (lifecycle), warn, error. Two formats: text (for a
// terminal) and JSON, one object per line (for a log pipeline; JsonLogFormatter).
#include <spdlog/spdlog.h>

#include <string_view>

namespace ct {

enum class LogFormat { text, json };

// Configures the default logger. `level` is one of trace, debug, info, warn,
// error, off; returns false if it is not.
bool configure_logging(std::string_view level, LogFormat format = LogFormat::text);
// "text" or "json"; false for anything else.
bool parse_log_format(std::string_view name, LogFormat& format);

// What a lifecycle line is about, as fields of its own: in JSON they are
// keys of the line's object, in text `key=value` after the message. Empty
// fields are left out.
struct LogFields {
  std::string_view room;
  std::string_view participant;
  std::string_view event;    // join, leave, publish, unpublish
  std::string_view outcome;  // "ok", or the error code
  std::string_view reason;   // why (a leave's reason)
  std::string_view track;    // a track's sid
  std::string_view remote;   // the client's IP address (no port), on lines about a refused join
};
void log_event(spdlog::level::level_enum level, const LogFields& fields, std::string_view message);

}  // namespace ct
