#pragma once
// spdlog's formatter for JSON lines: one object per line with "ts" (UTC,
// RFC 3339 with milliseconds), "level", "msg", the thread, and the fields
// of the log_event call being written (room, participant, ...), each string
// escaped as RFC 8259 §7 requires.
#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <array>
#include <memory>
#include <string_view>
#include <utility>

namespace ct {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  using Field = std::pair<std::string_view, std::string_view>;
  // The extra fields of the lines this thread writes while it lives.
  class Fields {
   public:
    explicit Fields(const std::array<Field, 7>& fields);
    ~Fields();
    Fields(const Fields&) = delete;
    Fields& operator=(const Fields&) = delete;

   private:
    const std::array<Field, 7>* previous_;
  };

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

  // Whether `logger` writes JSON lines (log_event then leaves its message alone).
  static bool active(const spdlog::logger& logger);
  // Says which logger writes JSON lines (null: none).
  static void set_json_logger(const spdlog::logger* logger);
  // Appends `text` as the inside of a JSON string.
  static void escape(std::string_view text, spdlog::memory_buf_t& dest);
};

}  // namespace ct
