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
  s.p2p = true;
  s.p2p_max = 3;
  auto j = RoomSettingsJson::to_json(s);
  EXPECT_EQ(j,
            nlohmann::json::parse(R"({"max_participants":12,"empty_timeout":90,"e2ee":true,"recording":true,)"
                                  R"("metadata":"m","p2p":true,"p2p_max":3})"));
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

TEST(RoomSettingsJson, DirectConnectionsAreOffAndAMeshHoldsTwoToFour) {
  sfu::RoomSettings s;
  EXPECT_FALSE(s.p2p);
  EXPECT_EQ(s.p2p_max, 2u);
  for (const char* bad : {R"({"p2p_max":1})", R"({"p2p_max":5})", R"({"p2p_max":0})", R"({"p2p_max":-2})",
                          R"({"p2p_max":"3"})", R"({"p2p":"yes"})", R"({"p2p":1})"}) {
    auto error = RoomSettingsJson::read(nlohmann::json::parse(bad), s);
    ASSERT_TRUE(error) << bad;
    EXPECT_NE(error->find("p2p"), std::string::npos) << *error;
  }
  EXPECT_EQ(*RoomSettingsJson::read(nlohmann::json::parse(R"({"p2p_max":9})"), s),
            "p2p_max must be a whole number from 2 to 4");
  EXPECT_FALSE(RoomSettingsJson::read(nlohmann::json::parse(R"({"p2p":true,"p2p_max":4})"), s));
  EXPECT_TRUE(s.p2p);
  EXPECT_EQ(s.p2p_max, 4u);
}

}  // namespace
}  // namespace ct::signal
