#include <gtest/gtest.h>

#include "signal/RoomSettingsJson.hpp"

namespace ct::signal {
namespace {

TEST(RoomSettingsJson, WritesEverySettingAndReadsItBack) {
  sfu::RoomSettings s;
  s.max_participants = 12;
  s.empty_timeout_seconds = 90;
  s.e2ee_required = true;
  s.auto_record = true;
  s.metadata = "m";
  auto j = RoomSettingsJson::to_json(s);
  EXPECT_EQ(j,
            nlohmann::json::parse(
                R"({"max_participants":12,"empty_timeout":90,"e2ee":true,"recording":true,"metadata":"m"})"));
  sfu::RoomSettings back;
  EXPECT_FALSE(RoomSettingsJson::read(j, back));
  EXPECT_EQ(RoomSettingsJson::to_json(back), j);
}

TEST(RoomSettingsJson, LeavesWhatIsNotNamedAndRefusesWrongTypes) {
  sfu::RoomSettings s;
  s.metadata = "kept";
  EXPECT_FALSE(RoomSettingsJson::read(nlohmann::json::parse(R"({"e2ee":true,"metadata":null})"), s));
  EXPECT_TRUE(s.e2ee_required);
  EXPECT_EQ(s.metadata, "kept");
  auto error = RoomSettingsJson::read(nlohmann::json::parse(R"({"empty_timeout":true})"), s);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("empty_timeout"), std::string::npos);
  EXPECT_TRUE(RoomSettingsJson::is_setting("max_participants"));
  EXPECT_FALSE(RoomSettingsJson::is_setting("name"));
}

}  // namespace
}  // namespace ct::signal
