#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "app/ApiClient.hpp"
#include "app/RoomCommand.hpp"
#include "signal/AccessToken.hpp"

namespace ct::app {
namespace {

using Json = nlohmann::json;

TEST(RoomCommand, SignsAShortTokenWithOnlyTheGrantsItNeeds) {
  TokenCreateOptions key;
  key.dev = true;
  std::string token;
  ASSERT_FALSE(make_api_token(key, "", {"room-list", "room-create"}, token));
  ct::signal::AccessTokenVerifier verifier(std::map<std::string, std::string>{{"devkey", "devsecret"}});
  auto claims = verifier.verify(token, std::chrono::system_clock::now());
  ASSERT_TRUE(claims.ok()) << to_string(claims.error());
  EXPECT_TRUE(claims->grants.room_list);
  EXPECT_TRUE(claims->grants.room_create);
  EXPECT_FALSE(claims->grants.room_admin);
  EXPECT_FALSE(claims->grants.room_join);
  EXPECT_LE(claims->expires - std::chrono::system_clock::now(), std::chrono::seconds(61));

  ASSERT_FALSE(make_api_token(key, "standup", {"admin"}, token));
  claims = verifier.verify(token, std::chrono::system_clock::now());
  ASSERT_TRUE(claims.ok());
  EXPECT_TRUE(claims->grants.room_admin);
  EXPECT_EQ(claims->grants.room, "standup");  // administers that room only

  TokenCreateOptions none;  // no key at all
  EXPECT_TRUE(make_api_token(none, "", {"room-list"}, token));
}

TEST(RoomCommand, BodiesCarryOnlyWhatWasGiven) {
  RoomCreateOptions c;
  c.name = "standup";
  EXPECT_EQ(room_create_body(c), Json::parse(R"({"name":"standup"})"));
  c.max_participants = 4;
  c.empty_timeout = 60;
  c.e2ee = true;
  c.record = true;
  c.metadata = "m";
  EXPECT_EQ(
      room_create_body(c),
      Json::parse(
          R"({"name":"standup","max_participants":4,"empty_timeout":60,"e2ee":true,"recording":true,"metadata":"m"})"));

  ParticipantUpdateOptions u;
  u.name = "Bob";
  u.can_publish = false;
  EXPECT_EQ(participant_update_body(u), Json::parse(R"({"name":"Bob","permissions":{"canPublish":false}})"));
}

TEST(RoomCommand, TablesAlignTheirColumns) {
  auto rooms = Json::parse(R"([
    {"name":"standup","num_participants":3,"num_publishers":2,"recording":{"active":true,"id":"x"},
     "settings":{"max_participants":10,"e2ee":false}},
    {"name":"a","num_participants":0,"num_publishers":0,"recording":{"active":false,"id":null},
     "settings":{"max_participants":0,"e2ee":true}}])");
  EXPECT_EQ(rooms_table(rooms),
            "NAME     PARTICIPANTS  PUBLISHERS  MAX  E2EE  RECORDING\n"
            "standup  3             2           10   no    yes\n"
            "a        0             0           -    yes   no\n");
  auto people = Json::parse(R"([{"identity":"alice","name":"Alice","tracks":[{"kind":"audio","muted":false},
    {"kind":"video","muted":true}],"permissions":{"canPublish":true,"canSubscribe":true}}])");
  EXPECT_EQ(participants_table(people),
            "IDENTITY  NAME   TRACKS              PUBLISH  SUBSCRIBE\n"
            "alice     Alice  audio,video(muted)  yes      yes\n");
}

TEST(RoomCommand, PathSegmentsAreEscaped) {
  EXPECT_EQ(ApiClient::escape_segment("team room/1?"), "team%20room%2F1%3F");
  EXPECT_EQ(ApiClient::escape_segment("a-b_c.d~"), "a-b_c.d~");
}

TEST(RoomCommand, RegistersTheCommands) {
  CLI::App app{"test"};
  add_room_commands(app);
  auto* room = app.get_subcommand("room");
  for (const char* sub : {"list", "create", "delete"}) EXPECT_NO_THROW(room->get_subcommand(sub)) << sub;
  auto* participant = app.get_subcommand("participant");
  for (const char* sub : {"list", "get", "remove", "mute", "update"})
    EXPECT_NO_THROW(participant->get_subcommand(sub)) << sub;
  for (const char* flag : {"--url", "--api-key", "--api-secret", "--json", "--max-participants", "--e2ee"})
    EXPECT_NO_THROW(room->get_subcommand("create")->get_option(flag)) << flag;
}

}  // namespace
}  // namespace ct::app
