#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "loadtest/ChurnRun.hpp"

namespace ct::loadtest {
namespace {

TEST(ChurnRun, RefusesABadUrlWithoutJoining) {
  Scenario s;
  s.url = "http://127.0.0.1:1";
  s.join_within_s = 1;
  int tokens = 0;
  auto r = ChurnRun(s, [&](const std::string&, const std::string&, Participant::Role) {
             ++tokens;
             return std::string("token");
           }).run();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("--url"), std::string::npos);
  EXPECT_EQ(tokens, 0);
  EXPECT_EQ(r.joins, 0u);
}

// Nothing listens: every publisher's join fails at once (counted, with the
// first reason), their rooms' subscribers never join (failed too), and the
// run still ends when its time is up.
TEST(ChurnRun, JoinsToAServerThatIsNotThereAreFailedJoins) {
  Scenario s;
  s.url = "ws://127.0.0.1:1";
  s.rooms = 2;
  s.publishers = 1;
  s.subscribers = 1;
  s.join_within_s = 0.2;
  s.duration_s = 0.3;
  s.setup_timeout_s = 5;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = ChurnRun(s, [](const std::string& room, const std::string& identity, Participant::Role) {
             return room + "/" + identity;
           }).run();
  EXPECT_FALSE(r.ok);
  EXPECT_GE(r.joins, 2u);
  EXPECT_GE(r.failed_joins, 4u);
  EXPECT_EQ(r.first_media.count(), 0u);
  // Publishers of both rooms join first.
  EXPECT_NE(r.error.find("loadtest-r0-pub-0-g0"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("signaling"), std::string::npos) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ct::loadtest
