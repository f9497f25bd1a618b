#pragma once
// Logging: spdlog, one line per event. Levels: trace (per packet, off by
// default), debug, info (lifecycle), warn, error.
#include <spdlog/spdlog.h>

#include <string_view>

namespace ct {

// Configures the default logger. `level` is one of trace, debug, info, warn,
// error, off; returns false if it is not.
bool configure_logging(std::string_view level, bool json = false);

}  // namespace ct
