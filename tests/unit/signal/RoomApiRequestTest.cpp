#include <gtest/gtest.h>

#include <string>

#include "signal/RoomApiRequest.hpp"

namespace ct::signal {
namespace {

using R = RoomApiRequest;

template <class T>
const R::Refusal& refusal(const R::Result<T>& r) {
  static const R::Refusal none{"accepted", ""};
  auto* x = std::get_if<R::Refusal>(&r);
  return x ? *x : none;
}

TEST(RoomApiRequest, CreateRoomReadsEverySetting) {
  auto r = R::create_room(
      R"({"name":"standup","max_participants":8,"empty_timeout":60,"e2ee":true,"recording":true,"metadata":"{\"topic\":1}"})");
  ASSERT_TRUE(std::holds_alternative<R::CreateRoom>(r)) << refusal(r).message;
  const auto& c = std::get<R::CreateRoom>(r);
  EXPECT_EQ(c.name, "standup");
  EXPECT_EQ(c.settings.max_participants, 8u);
  EXPECT_EQ(c.settings.empty_timeout_seconds, 60u);
  EXPECT_TRUE(c.settings.e2ee_required);
  EXPECT_TRUE(c.settings.auto_record);
  EXPECT_EQ(c.settings.metadata, R"({"topic":1})");
}

TEST(RoomApiRequest, ARoomMadeAheadWaitsFiveMinutesByDefault) {
  auto r = R::create_room(R"({"name":"later"})");
  ASSERT_TRUE(std::holds_alternative<R::CreateRoom>(r));
  const auto& s = std::get<R::CreateRoom>(r).settings;
  EXPECT_EQ(s.empty_timeout_seconds, 300u);
  EXPECT_EQ(s.max_participants, 0u);  // the server's limit
  EXPECT_FALSE(s.e2ee_required);
  EXPECT_FALSE(s.auto_record);
}

TEST(RoomApiRequest, BadJsonGetsTheParsersReason) {
  for (const char* body : {"", "{", "{\"name\":", "nul", "{\"name\":\"x\",}", "\xff\xfe"}) {
    auto r = R::create_room(body);
    EXPECT_EQ(refusal(r).code, "bad_json") << body;
    EXPECT_NE(refusal(r).message.find("parse error"), std::string::npos) << refusal(r).message;
  }
}

TEST(RoomApiRequest, WrongTypesAndRangesAreRefusedWithTheirField) {
  struct Case {
    const char* body;
    const char* field;
  } cases[] = {
      {R"([1,2])", "object"},
      {R"("standup")", "object"},
      {R"({})", "name"},
      {R"({"name":""})", "name"},
      {R"({"name":"a/b"})", "name"},
      {R"({"name":42})", "name"},
      {R"({"name":"x","max_participants":-1})", "max_participants"},
      {R"({"name":"x","max_participants":1.5})", "max_participants"},
      {R"({"name":"x","max_participants":"10"})", "max_participants"},
      {R"({"name":"x","max_participants":18446744073709551615})", "max_participants"},
      {R"({"name":"x","empty_timeout":999999999})", "empty_timeout"},
      {R"({"name":"x","e2ee":"yes"})", "e2ee"},
      {R"({"name":"x","recording":1})", "recording"},
      {R"({"name":"x","metadata":{}})", "metadata"},
      {R"({"name":"x","max_particpants":3})", "max_particpants"},  // a misspelt setting is not ignored
  };
  for (const auto& c : cases) {
    auto r = R::create_room(c.body);
    EXPECT_EQ(refusal(r).code, "bad_request") << c.body;
    EXPECT_NE(refusal(r).message.find(c.field), std::string::npos) << c.body << ": " << refusal(r).message;
  }
  EXPECT_EQ(refusal(R::create_room(R"({"name":")" + std::string(129, 'r') + "\"}")).code, "bad_request");
  EXPECT_EQ(refusal(R::create_room(R"({"name":"x","metadata":")" + std::string(4097, 'm') + "\"}")).code,
            "bad_request");
}

TEST(RoomApiRequest, UpdateParticipantTakesNameMetadataAndPermissions) {
  auto r =
      R::update_participant(R"({"name":"Bob","permissions":{"canPublish":false,"canPublishData":true}})");
  ASSERT_TRUE(std::holds_alternative<R::UpdateParticipant>(r)) << refusal(r).message;
  const auto& u = std::get<R::UpdateParticipant>(r).update;
  EXPECT_EQ(u.name, "Bob");
  EXPECT_FALSE(u.metadata);
  EXPECT_EQ(u.can_publish, false);
  EXPECT_FALSE(u.can_subscribe);  // not given: unchanged
  EXPECT_EQ(u.can_publish_data, true);

  for (const char* body : {R"({})", R"({"permissions":{}})", R"({"name":1})", R"({"permissions":[]})",
                           R"({"permissions":{"canPublish":"no"}})", R"({"permissions":{"canAdmin":true}})",
                           R"({"identity":"x"})"}) {
    EXPECT_EQ(refusal(R::update_participant(body)).code, "bad_request") << body;
  }
  EXPECT_EQ(refusal(R::update_participant(R"({"name":")" + std::string(129, 'n') + "\"}")).code,
            "bad_request");
}

TEST(RoomApiRequest, UpdateRoomTakesOnlySettingsCheckedByTheTable) {
  auto r = R::update_room(R"({"max_participants":4,"e2ee":true,"empty_timeout":60,"recording":false})");
  ASSERT_TRUE(std::holds_alternative<R::UpdateRoom>(r)) << refusal(r).message;
  EXPECT_EQ(std::get<R::UpdateRoom>(r).settings.size(), 4u);
  EXPECT_EQ(std::get<R::UpdateRoom>(r).settings["max_participants"], 4);
  EXPECT_EQ(refusal(R::update_room("{}")).code, "bad_request");
  EXPECT_EQ(refusal(R::update_room(R"({"name":"other"})")).code, "bad_request");  // a room is not renamed
  EXPECT_EQ(refusal(R::update_room(R"({"colour":"red"})")).code, "bad_request");
  const auto out_of_range = R::update_room(R"({"max_participants":-1})");
  const auto& range = refusal(out_of_range);
  EXPECT_EQ(range.code, "bad_request");
  EXPECT_NE(range.message.find("max_participants"), std::string::npos) << range.message;
  EXPECT_EQ(refusal(R::update_room(R"({"e2ee":"yes"})")).code, "bad_request");
  EXPECT_EQ(refusal(R::update_room("[1]")).code, "bad_request");
  EXPECT_EQ(refusal(R::update_room("{\"e2ee\":tru")).code, "bad_json");
}

TEST(RoomApiRequest, MuteNeedsAFlag) {
  auto r = R::mute_track(R"({"muted":false})");
  ASSERT_TRUE(std::holds_alternative<R::MuteTrack>(r));
  EXPECT_FALSE(std::get<R::MuteTrack>(r).muted);
  for (const char* body : {R"({})", R"({"muted":"true"})", R"({"muted":null})", R"({"muted":true,"x":1})"})
    EXPECT_EQ(refusal(R::mute_track(body)).code, "bad_request") << body;
}

TEST(RoomApiRequest, DataIsTextOrBase64) {
  auto r = R::send_data(R"({"data":"hello","topic":"chat","destination_identities":["a","b","a"]})");
  ASSERT_TRUE(std::holds_alternative<R::SendData>(r)) << refusal(r).message;
  const auto& d = std::get<R::SendData>(r);
  EXPECT_EQ(std::string(d.payload.begin(), d.payload.end()), "hello");
  EXPECT_EQ(d.topic, "chat");
  EXPECT_EQ(d.destinations, (std::vector<std::string>{"a", "b"}));  // each once
  EXPECT_TRUE(d.reliable);

  auto b = R::send_data(R"({"data":"AAH/","encoding":"base64","reliable":false})");
  ASSERT_TRUE(std::holds_alternative<R::SendData>(b)) << refusal(b).message;
  EXPECT_EQ(std::get<R::SendData>(b).payload, (std::vector<uint8_t>{0, 1, 255}));
  EXPECT_FALSE(std::get<R::SendData>(b).reliable);

  for (const char* body :
       {R"({})", R"({"data":1})", R"({"data":"!!","encoding":"base64"})", R"({"data":"x","encoding":"hex"})",
        R"({"data":"x","destination_identities":"bob"})", R"({"data":"x","destination_identities":[1]})",
        R"({"data":"x","destination_identities":[""]})", R"({"data":"x","reliable":"yes"})"}) {
    EXPECT_EQ(refusal(R::send_data(body)).code, "bad_request") << body;
  }
  EXPECT_EQ(refusal(R::send_data(R"({"data":"x","topic":")" + std::string(257, 't') + "\"}")).code,
            "bad_request");
  // Over a data message's size: refused as too large, not cut.
  EXPECT_EQ(refusal(R::send_data(R"({"data":")" + std::string(16 * 1024, 'd') + "\"}")).code,
            "data_too_large");
}

TEST(RoomApiRequest, TruncatedBodiesAreRefusedNeverAccepted) {
  const std::string full =
      R"({"data":"aGVsbG8=","encoding":"base64","topic":"chat","destination_identities":["alice"]})";
  for (size_t n = 0; n < full.size(); ++n) {
    std::string cut = full.substr(0, n);
    EXPECT_TRUE(std::holds_alternative<R::Refusal>(R::send_data(cut))) << cut;
    EXPECT_TRUE(std::holds_alternative<R::Refusal>(R::create_room(cut))) << cut;
  }
  const std::string settings = R"({"max_participants":4,"e2ee":true})";
  for (size_t n = 0; n < settings.size(); ++n)
    EXPECT_TRUE(std::holds_alternative<R::Refusal>(R::update_room(settings.substr(0, n)))) << n;
}

TEST(RoomApiRequest, DeepNestingAndHugeNumbersDoNotCrash) {
  std::string deep(30000, '[');
  EXPECT_TRUE(std::holds_alternative<R::Refusal>(R::create_room(deep)));
  deep = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_EQ(refusal(R::create_room(deep)).code, "bad_request");
  EXPECT_EQ(refusal(R::create_room(R"({"name":"x","max_participants":1e400})")).code, "bad_json");
}

TEST(RoomApiRequest, NamesAreWhatATokenCanName) {
  EXPECT_TRUE(R::valid_name("standup"));
  EXPECT_TRUE(R::valid_name("team room ✓"));
  EXPECT_TRUE(R::valid_name(std::string(128, 'r')));
  EXPECT_FALSE(R::valid_name(std::string(129, 'r')));
  EXPECT_FALSE(R::valid_name(""));
  EXPECT_FALSE(R::valid_name("a/b"));
  EXPECT_FALSE(R::valid_name(std::string("a\0b", 3)));
  EXPECT_FALSE(R::valid_name("tab\there"));
}

}  // namespace
}  // namespace ct::signal
