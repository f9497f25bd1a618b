#include <gtest/gtest.h>

#include "signal/MoveParticipantRequest.hpp"

namespace ct::signal {
namespace {

std::string refusal(std::string_view body, const std::string& from = "standup") {
  auto r = MoveParticipantRequest::parse(body, from);
  auto* e = std::get_if<RoomApiRequest::Refusal>(&r);
  return e ? e->code : "";
}

TEST(MoveParticipantRequest, ParsesRoomUrlAndReason) {
  auto r =
      std::get<MoveParticipantRequest>(MoveParticipantRequest::parse(R"({"room":"standup~a"})", "standup"));
  EXPECT_EQ(r.room, "standup~a");
  EXPECT_EQ(r.url, "");
  EXPECT_EQ(r.reason, "breakout");
  r = std::get<MoveParticipantRequest>(MoveParticipantRequest::parse(R"({"room":"standup"})", "standup~a"));
  EXPECT_EQ(r.reason, "return");
  r = std::get<MoveParticipantRequest>(
      MoveParticipantRequest::parse(R"({"room":"x","url":"wss://b.example/rtc"})", "standup"));
  EXPECT_EQ(r.url, "wss://b.example/rtc");
  EXPECT_EQ(r.reason, "redirect");
  r = std::get<MoveParticipantRequest>(
      MoveParticipantRequest::parse(R"({"room":"x","url":"ws://b:1/rtc","reason":"drain"})", "standup"));
  EXPECT_EQ(r.reason, "drain");
}

TEST(MoveParticipantRequest, RefusesGarbageAndTruncatedBodies) {
  EXPECT_EQ(refusal(R"({"room":"standup~a")"), "bad_json");
  EXPECT_EQ(refusal(""), "bad_json");
  EXPECT_EQ(refusal("\xff\xfe"), "bad_json");
  EXPECT_EQ(refusal("[]"), "bad_request");
  EXPECT_EQ(refusal("{}"), "bad_request");
  EXPECT_EQ(refusal(R"({"room":""})"), "bad_request");
  EXPECT_EQ(refusal(R"({"room":"a/b"})"), "bad_request");
  EXPECT_EQ(refusal(R"({"room":7})"), "bad_request");
  EXPECT_EQ(refusal(R"({"room":"x","rooms":"y"})"), "bad_request");
  EXPECT_EQ(refusal(R"({"room":"x","url":"http://b/rtc"})"), "bad_request");
  EXPECT_EQ(refusal(R"({"room":"x","url":"ws://b /rtc"})"), "bad_request");
  EXPECT_EQ(refusal(R"({"room":"x","url":"ws://)" + std::string(2100, 'b') + R"("})"), "bad_request");
  EXPECT_EQ(refusal(R"({"room":"x","reason":"because"})"), "bad_request");
}

TEST(MoveParticipantRequest, TheTargetNeedsAdminUnlessItIsTheSameCall) {
  VideoGrants g;
  g.room = "standup";
  g.room_admin = true;
  EXPECT_TRUE(MoveParticipantRequest::may_move_to(g, "standup", "standup~a"));
  EXPECT_TRUE(MoveParticipantRequest::may_move_to(g, "standup", "standup"));
  EXPECT_FALSE(MoveParticipantRequest::may_move_to(g, "standup", "board-meeting"));
  g.room = "";  // an administrator of every room
  EXPECT_TRUE(MoveParticipantRequest::may_move_to(g, "standup", "board-meeting"));
  g.room_admin = false;
  EXPECT_FALSE(MoveParticipantRequest::may_move_to(g, "standup", "standup~a"));
}

}  // namespace
}  // namespace ct::signal
