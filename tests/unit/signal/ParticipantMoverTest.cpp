#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "signal/AccessToken.hpp"
#include "signal/ParticipantMover.hpp"

namespace ct::signal {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kKey = "APIkey";
constexpr const char* kSecret = "a-secret-of-at-least-thirty-two-bytes!";

// A connection as the mover sees it: records what it was told.
class RecordingSession final : public MovableSession {
 public:
  void send_text(std::string message) override { texts.push_back(json::parse(message)); }
  void send_move(std::string message) override { moves.push_back(json::parse(message)); }
  void moved_away() override { ++moved_away_calls; }

  std::vector<json> texts, moves;
  int moved_away_calls = 0;
};

AccessTokenClaims claims(const std::string& room, const std::string& identity, bool admin = false) {
  AccessTokenClaims c;
  c.api_key = kKey;
  c.identity = identity;
  c.name = "Name of " + identity;
  c.metadata = R"({"team":"blue"})";
  c.grants.room = room;
  c.grants.room_join = true;
  c.grants.can_publish_data = false;
  c.grants.room_admin = admin;
  c.grants.room_record = admin;
  c.expires = std::chrono::system_clock::now() + 6h;
  return c;
}

class ParticipantMoverTest : public ::testing::Test {
 protected:
  ParticipantMover mover{AccessTokenSigner(kKey, kSecret)};
  AccessTokenVerifier verifier{{{kKey, kSecret}}};

  std::shared_ptr<RecordingSession> join(const std::string& room, const std::string& identity,
                                         bool admin = false) {
    auto s = std::make_shared<RecordingSession>();
    sessions.push_back(s);
    mover.joined(room, claims(room, identity, admin), s);
    return s;
  }
  std::vector<std::shared_ptr<RecordingSession>> sessions;
};

TEST(ParticipantMoverClaims, KeepIdentityNameMetadataAndGrantsButTheRoom) {
  auto original = claims("standup", "ada", true);
  auto now = std::chrono::system_clock::now();
  auto moved = ParticipantMover::claims_for_move(original, "standup~a", now);
  EXPECT_EQ(moved.identity, "ada");
  EXPECT_EQ(moved.name, original.name);
  EXPECT_EQ(moved.metadata, original.metadata);
  EXPECT_EQ(moved.grants.room, "standup~a");
  auto grants = moved.grants;
  grants.room = original.grants.room;
  EXPECT_EQ(grants, original.grants);
  // Short-lived: at most an hour, and never beyond the token it replaces.
  EXPECT_LE(moved.expires, now + ParticipantMover::kMaxTokenLifetime);
  EXPECT_GT(moved.expires, now + 59min);
  original.expires = now + 5min;
  EXPECT_EQ(ParticipantMover::claims_for_move(original, "x", now).expires, original.expires);
}

TEST_F(ParticipantMoverTest, MoveSendsATokenForTheNewRoomThatTheServerAccepts) {
  auto ada = join("standup", "ada");
  EXPECT_FALSE(mover.move({"standup", "ada", "elsewhere", "breakout", {}}));
  ASSERT_EQ(ada->moves.size(), 1u);
  const json& m = ada->moves[0];
  EXPECT_EQ(m["type"], "move");
  EXPECT_EQ(m["room"], "elsewhere");
  EXPECT_EQ(m["reason"], "breakout");
  EXPECT_FALSE(m.contains("url"));
  auto verified = verifier.verify(m["token"].get<std::string>(), std::chrono::system_clock::now());
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->identity, "ada");
  EXPECT_EQ(verified->grants.room, "elsewhere");
  EXPECT_FALSE(verified->grants.can_publish_data);
  EXPECT_EQ(verified->metadata, R"({"team":"blue"})");
}

TEST_F(ParticipantMoverTest, MoveWithAUrlSaysWhere) {
  auto ada = join("standup", "ada");
  EXPECT_FALSE(mover.move({"standup", "ada", "standup", "redirect", "ws://10.0.0.2:7880/rtc"}));
  ASSERT_EQ(ada->moves.size(), 1u);
  EXPECT_EQ(ada->moves[0]["url"], "ws://10.0.0.2:7880/rtc");
}

TEST_F(ParticipantMoverTest, DrainSendsEveryoneInTheRoomToTheSameRoomOnAnotherNode) {
  auto ada = join("standup", "ada");
  auto bob = join("standup", "bob");
  auto eve = join("other", "eve");
  EXPECT_EQ(mover.move_room_to_node("standup", "ws://10.0.0.3:7880/rtc"), 2u);
  for (const auto& s : {ada, bob}) {
    ASSERT_EQ(s->moves.size(), 1u);
    const json& m = s->moves[0];
    EXPECT_EQ(m["room"], "standup");
    EXPECT_EQ(m["reason"], "drain");
    EXPECT_EQ(m["url"], "ws://10.0.0.3:7880/rtc");
    auto verified = verifier.verify(m["token"].get<std::string>(), std::chrono::system_clock::now());
    ASSERT_TRUE(verified);
    EXPECT_EQ(verified->grants.room, "standup");
  }
  EXPECT_EQ(ada->moves[0]["token"].get<std::string>().empty(), false);
  EXPECT_TRUE(eve->moves.empty());
  EXPECT_EQ(mover.move_room_to_node("empty", "ws://10.0.0.3:7880/rtc"), 0u);
}

TEST_F(ParticipantMoverTest, RefusesUnknownParticipantsAndMovesInPlace) {
  join("standup", "ada");
  EXPECT_EQ(mover.move({"standup", "bob", "x", "breakout", {}})->code, "participant_not_found");
  EXPECT_EQ(mover.move({"other", "ada", "x", "breakout", {}})->code, "participant_not_found");
  EXPECT_EQ(mover.move({"standup", "ada", "standup", "breakout", {}})->code, "already_in_room");
  ParticipantMover unsigned_mover{std::nullopt};
  EXPECT_EQ(unsigned_mover.move({"standup", "ada", "x", "breakout", {}})->code, "move_unavailable");
}

TEST_F(ParticipantMoverTest, TheOldConnectionLeavesOnceTheNewOneJoined) {
  auto ada = join("standup", "ada");
  ASSERT_FALSE(mover.move({"standup", "ada", "standup~a", "breakout", {}}));
  join("elsewhere", "ada");  // not the room it was sent to
  EXPECT_EQ(ada->moved_away_calls, 0);
  join("standup~a", "ada");
  EXPECT_EQ(ada->moved_away_calls, 1);
  mover.left("standup", "ada", ada.get());
  EXPECT_EQ(mover.members("standup"), std::vector<std::string>{});
  EXPECT_EQ(mover.members("standup~a"), std::vector<std::string>{"ada"});
}

TEST_F(ParticipantMoverTest, AReplacedConnectionDoesNotUnregisterItsSuccessor) {
  auto first = join("standup", "ada");
  auto second = join("standup", "ada");  // a resume
  mover.left("standup", "ada", first.get());
  EXPECT_EQ(mover.members("standup"), std::vector<std::string>{"ada"});
  mover.left("standup", "ada", second.get());
  EXPECT_TRUE(mover.members("standup").empty());
}

TEST_F(ParticipantMoverTest, BreakoutsOpenMoveAndCloseWithStateForEveryone) {
  auto admin = join("standup", "admin", true);
  auto ada = join("standup", "ada");
  auto bob = join("standup", "bob");
  auto opened = mover.open_breakouts("standup", {"a", "b"});
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(opened));
  EXPECT_EQ(std::get<std::vector<std::string>>(opened), (std::vector<std::string>{"standup~a", "standup~b"}));
  ASSERT_FALSE(ada->texts.empty());
  EXPECT_EQ(ada->texts.back()["type"], "breakout_state");
  EXPECT_EQ(ada->texts.back()["rooms"].size(), 2u);

  EXPECT_FALSE(mover.move_to_breakout("standup", "ada", "a"));
  ASSERT_EQ(ada->moves.size(), 1u);
  EXPECT_EQ(ada->moves[0]["room"], "standup~a");
  EXPECT_EQ(ada->moves[0]["reason"], "breakout");
  join("standup~a", "ada");
  EXPECT_EQ(ada->moved_away_calls, 1);
  mover.left("standup", "ada", ada.get());
  // Everyone, the administrator too, hears who is where.
  const json& state = admin->texts.back();
  EXPECT_EQ(state["room"], "standup");
  EXPECT_EQ(state["rooms"][0]["name"], "a");
  EXPECT_EQ(state["rooms"][0]["room"], "standup~a");
  EXPECT_EQ(state["rooms"][0]["participants"], json::array({"ada"}));
  EXPECT_EQ(state["rooms"][1]["participants"], json::array());

  EXPECT_EQ(mover.move_to_breakout("standup", "ada", "c")->code, "breakout_not_found");
  EXPECT_EQ(mover.move_to_breakout("standup", "carol", "a")->code, "participant_not_found");
  EXPECT_EQ(mover.move_to_breakout("standup", "ada", "a")->code, "already_in_room");

  auto ada_in_a = sessions.back();
  EXPECT_FALSE(mover.close_breakouts("standup"));
  ASSERT_EQ(ada_in_a->moves.size(), 1u);
  EXPECT_EQ(ada_in_a->moves[0]["room"], "standup");
  EXPECT_EQ(ada_in_a->moves[0]["reason"], "return");
  EXPECT_TRUE(bob->moves.empty());  // already in the main room
  EXPECT_EQ(bob->texts.back()["rooms"], json::array());
  EXPECT_EQ(mover.close_breakouts("standup")->code, "breakouts_not_open");
  EXPECT_EQ(mover.move_to_breakout("standup", "bob", "a")->code, "breakouts_not_open");
}

TEST_F(ParticipantMoverTest, BreakoutNamesAreChecked) {
  join("standup", "admin", true);
  auto code = [&](std::vector<std::string> names) {
    auto r = mover.open_breakouts("standup", names);
    auto* e = std::get_if<sfu::event::Error>(&r);
    return e ? e->code : std::string();
  };
  EXPECT_EQ(code({}), "bad_breakout_name");
  EXPECT_EQ(code({"a/b"}), "bad_breakout_name");
  EXPECT_EQ(code({"a", "a"}), "bad_breakout_name");
  EXPECT_EQ(code({std::string(33, 'a')}), "bad_breakout_name");
  EXPECT_EQ(code({"a"}), "");
  std::vector<std::string> many;
  for (int i = 0; i < 16; ++i) many.push_back("r" + std::to_string(i));
  EXPECT_EQ(code(many), "bad_breakout_name");  // 16 more than the one open
  EXPECT_EQ(code({"a", "b"}), "");             // opening again adds
}

TEST_F(ParticipantMoverTest, HiddenParticipantsAreNotListed) {
  join("standup", "ada");
  auto c = claims("standup", "recorder");
  c.grants.hidden = true;
  auto s = std::make_shared<RecordingSession>();
  mover.joined("standup", c, s);
  EXPECT_EQ(mover.members("standup"), std::vector<std::string>{"ada"});
}

}  // namespace
}  // namespace ct::signal
