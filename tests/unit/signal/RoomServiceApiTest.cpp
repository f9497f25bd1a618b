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

TEST(RoomServiceApiTest, EachRoomErrorHasItsStatus) {
  EXPECT_EQ(RoomServiceApi::status_of("recording_active"), 409);
  EXPECT_EQ(RoomServiceApi::status_of("recording_not_active"), 409);
  EXPECT_EQ(RoomServiceApi::status_of("recording_disabled"), 503);
  EXPECT_EQ(RoomServiceApi::status_of("recording_failed"), 500);
  EXPECT_EQ(RoomServiceApi::status_of(""), 500);
}

}  // namespace
}  // namespace ct::signal
