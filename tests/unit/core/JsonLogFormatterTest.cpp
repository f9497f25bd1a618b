#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/JsonLogFormatter.hpp"
#include "core/Log.hpp"

namespace ct {
namespace {

// A logger that writes into `out`, made the default the way configure_logging makes one.
std::shared_ptr<spdlog::logger> logger_into(std::ostringstream& out, LogFormat format) {
  auto logger =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  if (format == LogFormat::json) {
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
  } else {
    logger->set_pattern("%v");
  }
  JsonLogFormatter::set_json_logger(format == LogFormat::json ? logger.get() : nullptr);
  spdlog::set_default_logger(logger);
  return logger;
}

TEST(JsonLogFormatterTest, EveryLineIsOneJsonObjectWithItsFields) {
  std::ostringstream out;
  auto logger = logger_into(out, LogFormat::json);
  log_event(spdlog::level::info,
            {.room = "stand\"up", .participant = "al\nice", .event = "join", .outcome = "ok"},
            "participant joined");
  spdlog::warn("plain line with a tab\tand a \\ backslash");
  std::istringstream lines(out.str());
  std::string first, second;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  auto a = nlohmann::json::parse(first);
  EXPECT_EQ(a["msg"], "participant joined");
  EXPECT_EQ(a["level"], "info");
  EXPECT_EQ(a["room"], "stand\"up");
  EXPECT_EQ(a["participant"], "al\nice");
  EXPECT_EQ(a["event"], "join");
  EXPECT_EQ(a["outcome"], "ok");
  EXPECT_FALSE(a.contains("reason"));  // empty fields are left out
  EXPECT_TRUE(a["ts"].get<std::string>().ends_with("Z"));
  auto b = nlohmann::json::parse(second);
  EXPECT_EQ(b["msg"], "plain line with a tab\tand a \\ backslash");
  EXPECT_EQ(b["level"], "warning");
  EXPECT_FALSE(b.contains("room"));  // the fields belong to their own line only
  JsonLogFormatter::set_json_logger(nullptr);
}

TEST(JsonLogFormatterTest, TextLinesCarryTheFieldsAsKeyValuePairs) {
  std::ostringstream out;
  auto logger = logger_into(out, LogFormat::text);
  log_event(spdlog::level::info, {.room = "r1", .participant = "bob", .event = "leave", .reason = "left"},
            "participant left");
  EXPECT_EQ(out.str(), "participant left room=r1 participant=bob event=leave reason=left\n");
}

TEST(JsonLogFormatterTest, LogFormatNamesParse) {
  LogFormat f = LogFormat::text;
  EXPECT_TRUE(parse_log_format("json", f));
  EXPECT_EQ(f, LogFormat::json);
  EXPECT_TRUE(parse_log_format("text", f));
  EXPECT_EQ(f, LogFormat::text);
  EXPECT_FALSE(parse_log_format("JSON ", f));
}

}  // namespace
}  // namespace ct
