#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

#include "core/Log.hpp"
#include "http/HttpResponse.hpp"
#include "signal/JoinRefusalLog.hpp"

namespace ct::signal {
namespace {

// The default logger's lines (text format: fields as key=value) while it lives.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(JoinRefusalLog, ARefusalBeforeAnyTokenNamesTheCodeAndAddressOnly) {
  CapturedLog log;
  JoinRefusalLog refusals;
  refusals.on_error("too_many_connections", "", "192.0.2.7");
  EXPECT_EQ(log.text(), "join refused event=join outcome=too_many_connections remote=192.0.2.7\n");
}

TEST(JoinRefusalLog, AfterTheTokenVerifiedItsRoomAndIdentityAreNamed) {
  CapturedLog log;
  JoinRefusalLog refusals;
  refusals.claimed("standup", "alice");
  refusals.on_error("room_full", "join", "2001:db8::5");
  EXPECT_EQ(log.text(),
            "join refused room=standup participant=alice event=join outcome=room_full remote=2001:db8::5\n");
}

TEST(JoinRefusalLog, TheClaimIsForgottenAfterARefusedJoin) {
  CapturedLog log;
  JoinRefusalLog refusals;
  refusals.claimed("standup", "alice");
  refusals.on_error("permission_denied", "join", "192.0.2.7");
  refusals.on_error("token_expired", "join", "192.0.2.7");
  EXPECT_NE(log.text().find("outcome=token_expired remote=192.0.2.7"), std::string::npos) << log.text();
  EXPECT_EQ(log.text().find("participant=alice event=join outcome=token_expired"), std::string::npos);
}

TEST(JoinRefusalLog, ErrorsAboutOtherRequestsAreNotJoins) {
  CapturedLog log;
  JoinRefusalLog refusals;
  refusals.on_error("not_joined", "offer", "192.0.2.7");
  refusals.on_error("not_joined", "get_stats", "192.0.2.7");
  EXPECT_EQ(log.text(), "");
  refusals.on_error("bad_json", "", "192.0.2.7");  // what a malformed join gets
  EXPECT_EQ(log.text(), "join refused event=join outcome=bad_json remote=192.0.2.7\n");
}

TEST(JoinRefusalLog, AnOfferRefusedOverHttpIsARefusedJoinInThatRoom) {
  CapturedLog log;
  int answered = 0;
  auto respond =
      JoinRefusalLog::logging_refusals([&](http::HttpResponse) { ++answered; }, "live", "192.0.2.9");
  respond(http::HttpResponse::json(409, R"({"code":"room_full","message":"the room is full"})"));
  respond(http::HttpResponse::json(201, "{}"));  // created: not a refusal
  EXPECT_EQ(answered, 2);
  EXPECT_EQ(log.text(), "join refused room=live event=join outcome=room_full remote=192.0.2.9\n");
}

TEST(JoinRefusalLog, AnHttpRefusalWithoutACodeIsNamedByItsStatus) {
  CapturedLog log;
  auto respond = JoinRefusalLog::logging_refusals([](http::HttpResponse) {}, "live", "192.0.2.9");
  for (const char* body : {"", "not json", "[1]", R"({"code":7})", R"({"cod)"})
    respond(http::HttpResponse::json(500, body));
  std::string expected;
  for (int i = 0; i < 5; ++i) expected += "join refused room=live event=join outcome=500 remote=192.0.2.9\n";
  EXPECT_EQ(log.text(), expected);
}

}  // namespace
}  // namespace ct::signal
