#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "loadtest/ScenarioRun.hpp"

namespace ct::loadtest {
namespace {

TEST(ScenarioRun, RefusesABadUrlWithoutConnecting) {
  Scenario s;
  s.url = "http://127.0.0.1:1";
  int tokens = 0;
  auto r = ScenarioRun(s, [&](const std::string&, const std::string&, Participant::Role) {
             ++tokens;
             return std::string("token");
           }).run();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("--url"), std::string::npos);
  EXPECT_EQ(tokens, 0);
}

TEST(ScenarioRun, ATokenThatCannotBeMadeIsTheReportsError) {
  Scenario s;
  s.url = "ws://127.0.0.1:1";
  auto r = ScenarioRun(s, [](const std::string&, const std::string&, Participant::Role) -> std::string {
             throw std::runtime_error("no signing key");
           }).run();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "no signing key");
}

// Nothing listens: the first participant's signaling fails, and the run
// ends with that error instead of waiting for its setup time limit.
TEST(ScenarioRun, AServerThatIsNotThereFailsTheRunPromptly) {
  Scenario s;
  s.url = "ws://127.0.0.1:1";
  s.subscribers = 1;
  s.setup_timeout_s = 20;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = ScenarioRun(s, [](const std::string&, const std::string& identity, Participant::Role) {
             return "token-" + identity;
           }).run();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("loadtest-pub-0"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("signaling"), std::string::npos) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

TEST(ScenarioRun, RefusesABadBindAddressWithoutConnecting) {
  Scenario s;
  s.url = "ws://127.0.0.1:1";
  s.bind_address = "not-an-address";
  int tokens = 0;
  auto r = ScenarioRun(s, [&](const std::string&, const std::string&, Participant::Role) {
             ++tokens;
             return std::string("token");
           }).run();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("--bind"), std::string::npos);
  EXPECT_EQ(tokens, 0);
}

// Janus' VideoRoom has no tile-size requests to switch layers with.
TEST(ScenarioRun, RefusesSimulcastAgainstJanusWithoutConnecting) {
  Scenario s;
  s.url = "ws://127.0.0.1:1/";
  s.target = ServerTarget::Janus;
  s.simulcast = true;
  int tokens = 0;
  auto r = ScenarioRun(s, [&](const std::string&, const std::string&, Participant::Role) {
             ++tokens;
             return std::string("token");
           }).run();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("--simulcast"), std::string::npos) << r.error;
  EXPECT_EQ(tokens, 0);
}

}  // namespace
}  // namespace ct::loadtest
