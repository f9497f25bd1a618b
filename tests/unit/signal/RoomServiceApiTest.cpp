#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "signal/RoomServiceApi.hpp"

namespace ct::signal {
namespace {

TEST(RoomServiceApiTest, TheRoomComesFromTheRecordingPath) {
  EXPECT_EQ(RoomServiceApi::recording_room("/api/rooms/standup/recording"), "standup");
  EXPECT_EQ(RoomServiceApi::recording_room("/api/rooms/a b/recording"), "a b");
  // A decoded '/' stays part of the name: the suffix is what ends it.
  EXPECT_EQ(RoomServiceApi::recording_room("/api/rooms/a/b/recording"), "a/b");
}

TEST(RoomServiceApiTest, OtherPathsNameNoRoom) {
  for (const char* path : {"/api/rooms/", "/api/rooms//recording", "/api/rooms/recording", "/api/rooms/x",
                           "/api/rooms/x/recording/", "/api/rooms/x/recordings", "/api/room/x/recording", "",
                           "/recording", "/api/rooms/x/participants"}) {
    EXPECT_FALSE(RoomServiceApi::recording_room(path).has_value()) << path;
  }
  EXPECT_FALSE(
      RoomServiceApi::recording_room("/api/rooms/" + std::string(129, 'r') + "/recording").has_value());
  EXPECT_TRUE(
      RoomServiceApi::recording_room("/api/rooms/" + std::string(128, 'r') + "/recording").has_value());
}

TEST(RoomServiceApiTest, ErrorsAreJsonWithACodeAndAMessage) {
  auto response = RoomServiceApi::error(409, "recording_active", "room \"x\" is already being recorded");
  EXPECT_EQ(response.status, 409);
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["code"], "recording_active");
  EXPECT_EQ(body["message"], "room \"x\" is already being recorded");
}

TEST(RoomServiceApiTest, PathsNameTheirResource) {
  using Kind = RoomServiceApi::Target::Kind;
  struct Case {
    const char* path;
    Kind kind;
    const char *room, *identity, *sid;
  } cases[] = {
      {"/api", Kind::Index, "", "", ""},
      {"/api/rooms", Kind::Rooms, "", "", ""},
      {"/api/rooms/standup", Kind::Room, "standup", "", ""},
      {"/api/rooms/standup/participants", Kind::Participants, "standup", "", ""},
      {"/api/rooms/standup/participants/alice", Kind::Participant, "standup", "alice", ""},
      {"/api/rooms/standup/participants/alice/tracks/TR_1/mute", Kind::Mute, "standup", "alice", "TR_1"},
      {"/api/rooms/standup/participants/alice/stats", Kind::Stats, "standup", "alice", ""},
      {"/api/rooms/standup/data", Kind::Data, "standup", "", ""},
      {"/api/rooms/a/b/recording", Kind::Recording, "a/b", "", ""},
      {"/api/rooms/participants", Kind::Room, "participants", "", ""},
  };
  for (const auto& c : cases) {
    auto t = RoomServiceApi::target_of(c.path);
    ASSERT_TRUE(t) << c.path;
    EXPECT_EQ(t->kind, c.kind) << c.path;
    EXPECT_EQ(t->room, c.room) << c.path;
    EXPECT_EQ(t->identity, c.identity) << c.path;
    EXPECT_EQ(t->sid, c.sid) << c.path;
  }
  for (const char* path :
       {"/api/", "/api/rooms/", "/api/rooms//participants", "/api/rooms/x/participants/",
        "/api/rooms/x/people", "/api/rooms/x/participants/a/tracks/t", "/api/rooms/x/data/y",
        "/api/rooms/x/participants/a/tracks/t/mute/now", "/api/rooms/x/participants/a/stat",
        "/api/rooms/x/participants/a/stats/now", "/api/roomsx", "/apix", ""}) {
    EXPECT_FALSE(RoomServiceApi::target_of(path)) << path;
  }
  EXPECT_FALSE(RoomServiceApi::target_of("/api/rooms/" + std::string(129, 'r')));
}

TEST(RoomServiceApiTest, EveryRouteIsReachableByItsOwnPath) {
  for (const auto& route : RoomServiceApi::routes()) {
    std::string path = route.path;
    for (auto [from, to] : {std::pair{"{room}", "r"}, {"{identity}", "i"}, {"{sid}", "s"}}) {
      if (auto at = path.find(from); at != std::string::npos)
        path.replace(at, std::string_view(from).size(), to);
    }
    auto t = RoomServiceApi::target_of(path);
    ASSERT_TRUE(t) << path;
    EXPECT_EQ(t->kind, route.kind) << path;
  }
}

TEST(RoomServiceApiTest, EachRoomErrorHasItsStatus) {
  EXPECT_EQ(RoomServiceApi::status_of("recording_active"), 409);
  EXPECT_EQ(RoomServiceApi::status_of("recording_not_active"), 409);
  EXPECT_EQ(RoomServiceApi::status_of("recording_disabled"), 503);
  EXPECT_EQ(RoomServiceApi::status_of("recording_failed"), 500);
  EXPECT_EQ(RoomServiceApi::status_of("room_exists"), 409);
  EXPECT_EQ(RoomServiceApi::status_of("room_not_found"), 404);
  EXPECT_EQ(RoomServiceApi::status_of("participant_not_found"), 404);
  EXPECT_EQ(RoomServiceApi::status_of("track_not_found"), 404);
  EXPECT_EQ(RoomServiceApi::status_of(""), 500);
}

}  // namespace
}  // namespace ct::signal
