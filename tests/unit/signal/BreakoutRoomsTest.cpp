#include <gtest/gtest.h>

#include "signal/BreakoutRooms.hpp"

namespace ct::signal {
namespace {

TEST(BreakoutRooms, NamesJoinTheMainRoomWithATilde) {
  EXPECT_EQ(BreakoutRooms::room_name("standup", "a"), "standup~a");
  EXPECT_EQ(BreakoutRooms::main_room("standup~a"), "standup");
  EXPECT_EQ(BreakoutRooms::main_room("standup"), "standup");
  EXPECT_EQ(BreakoutRooms::main_room("~x"), "");
}

TEST(BreakoutRooms, NameRules) {
  EXPECT_TRUE(BreakoutRooms::valid_name("Room_2-b"));
  EXPECT_TRUE(BreakoutRooms::valid_name(std::string(32, 'x')));
  EXPECT_FALSE(BreakoutRooms::valid_name(""));
  EXPECT_FALSE(BreakoutRooms::valid_name(std::string(33, 'x')));
  for (const char* bad : {"a b", "a/b", "a~b", "a\nb", "ä", "a.b", "a?b"})
    EXPECT_FALSE(BreakoutRooms::valid_name(bad)) << bad;
}

TEST(BreakoutRooms, OpenChecksCountRepeatsAndLength) {
  EXPECT_FALSE(BreakoutRooms::check_open("standup", {"a", "b"}));
  EXPECT_EQ(BreakoutRooms::check_open("standup", {})->code, "bad_breakout_name");
  EXPECT_EQ(BreakoutRooms::check_open("standup", {"a", "b", "a"})->code, "bad_breakout_name");
  EXPECT_EQ(BreakoutRooms::check_open("standup", std::vector<std::string>(17, "x"))->code,
            "bad_breakout_name");
  // The full name must still be a room a token can name.
  EXPECT_EQ(BreakoutRooms::check_open(std::string(100, 'm'), {std::string(30, 'b')})->code,
            "bad_breakout_name");
  EXPECT_FALSE(BreakoutRooms::check_open(std::string(95, 'm'), {std::string(32, 'b')}));
}

}  // namespace
}  // namespace ct::signal
