#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "signal/RelayedSessions.hpp"

using namespace ct::signal;
using json = nlohmann::json;

namespace {

class RecordingSession final : public MovableSession {
 public:
  void send_text(std::string message) override { texts.push_back(json::parse(message)); }
  void send_move(std::string) override { ADD_FAILURE() << "a relayed connection is never sent move"; }
  void moved_away() override { ADD_FAILURE() << "a relayed connection is never moved away"; }
  std::vector<json> texts;
};

const std::string kHomeA = "ws://10.0.0.1:7880/rtc";
const std::string kHomeC = "ws://10.0.0.3:7880/rtc";
const auto joined = [] { return true; };  // the hosting node answered the join

}  // namespace

TEST(RelayedSessions, DrainSendsEachRelayedClientToItsHostingNode) {
  RelayedSessions registry;
  auto ada = std::make_shared<RecordingSession>(), bob = std::make_shared<RecordingSession>(),
       cy = std::make_shared<RecordingSession>();
  auto r1 = registry.add("standup", "ada", kHomeA, joined, ada);
  auto r2 = registry.add("standup", "bob", kHomeA, joined, bob);
  auto r3 = registry.add("retro", "cy", kHomeC, joined, cy);
  EXPECT_EQ(registry.count(), 3u);

  auto sent = registry.reconnect_all("drain");
  ASSERT_EQ(sent.size(), 2u);  // per room and hosting node
  size_t total = 0;
  for (const auto& s : sent) {
    total += s.sessions;
    if (s.room == "standup") {
      EXPECT_EQ(s.home_url, kHomeA);
      EXPECT_EQ(s.sessions, 2u);
    } else {
      EXPECT_EQ(s.room, "retro");
      EXPECT_EQ(s.home_url, kHomeC);
      EXPECT_EQ(s.sessions, 1u);
    }
  }
  EXPECT_EQ(total, 3u);
  ASSERT_EQ(ada->texts.size(), 1u);
  EXPECT_EQ(ada->texts[0], (json{{"type", "reconnect"}, {"url", kHomeA}, {"reason", "drain"}}));
  ASSERT_EQ(cy->texts.size(), 1u);
  EXPECT_EQ(cy->texts[0]["url"], kHomeC);
  // Told once: the drain repeats the call for connections registered since, not for these.
  EXPECT_TRUE(registry.reconnect_all("drain").empty());
  EXPECT_EQ(ada->texts.size(), 1u);
  auto dee = std::make_shared<RecordingSession>();
  auto r4 = registry.add("standup", "dee", kHomeA, joined, dee);
  auto later = registry.reconnect_all("drain");
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].sessions, 1u);
  EXPECT_EQ(dee->texts.size(), 1u);
  EXPECT_EQ(bob->texts.size(), 1u);
}

TEST(RelayedSessions, ARelayThatEndsLeavesTheRegistry) {
  RelayedSessions registry;
  auto ada = std::make_shared<RecordingSession>();
  {
    auto r = registry.add("standup", "ada", kHomeA, joined, ada);
    EXPECT_EQ(registry.count(), 1u);
    RelayedSessions::Registration moved = std::move(r);  // moving keeps one entry
    EXPECT_EQ(registry.count(), 1u);
  }
  EXPECT_EQ(registry.count(), 0u);  // the node holds no relayed client: a drain may exit

  auto bob = std::make_shared<RecordingSession>();
  auto r = registry.add("standup", "bob", kHomeA, joined, bob);
  r.reset();
  EXPECT_EQ(registry.count(), 0u);
  EXPECT_TRUE(registry.reconnect_all("drain").empty());
  EXPECT_TRUE(bob->texts.empty());
}

TEST(RelayedSessions, AClientStillJoiningIsToldOnceItHasJoined) {
  RelayedSessions registry;
  auto ada = std::make_shared<RecordingSession>();
  bool answered = false;
  auto r = registry.add(
      "standup", "ada", kHomeA, [&answered] { return answered; }, ada);
  EXPECT_TRUE(registry.reconnect_all("drain").empty());  // `reconnect` before `joined` would be lost
  EXPECT_TRUE(ada->texts.empty());
  EXPECT_EQ(registry.count(), 1u);  // still holds the node
  answered = true;
  ASSERT_EQ(registry.reconnect_all("drain").size(), 1u);
  ASSERT_EQ(ada->texts.size(), 1u);
  EXPECT_EQ(ada->texts[0]["type"], "reconnect");
}

TEST(RelayedSessions, AConnectionAlreadyGoneIsNotTold) {
  RelayedSessions registry;
  auto ada = std::make_shared<RecordingSession>();
  auto r = registry.add("standup", "ada", kHomeA, joined, ada);
  ada.reset();  // the session object went away before its registration did
  EXPECT_TRUE(registry.reconnect_all("drain").empty());
}

TEST(RelayedSessions, AResumeOfAParticipantNoLongerThereIsRefusedWithACode) {
  auto refusal = resume_failed();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, "resume_failed");
  EXPECT_FALSE(refusal->message.empty());
}
