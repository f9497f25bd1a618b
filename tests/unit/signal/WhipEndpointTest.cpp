#include <gtest/gtest.h>

#include <vector>

#include "signal/WhipEndpoint.hpp"

namespace ct::signal {
namespace {

TEST(WhipEndpointTest, PathsNameARoomAndMaybeASession) {
  auto endpoint = WhipEndpoint::parse_path("/whip/stage");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->room, "stage");
  EXPECT_TRUE(endpoint->session.empty());

  auto session = WhipEndpoint::parse_path("/whip/my stage/Ab12Cd34");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->room, "my stage");
  EXPECT_EQ(session->session, "Ab12Cd34");
}

TEST(WhipEndpointTest, OtherPathsNameNothing) {
  for (const std::string& path : std::vector<std::string>{
           "/whip/", "/whip", "/whip//abc", "/whip/room/", "/whip/room/a/b", "/whep/room", "/api/rooms/x", "",
           "/whip/room/" + std::string(33, 's'), "/whip/" + std::string(129, 'r')}) {
    EXPECT_FALSE(WhipEndpoint::parse_path(path)) << path;
  }
  EXPECT_TRUE(WhipEndpoint::parse_path("/whip/" + std::string(128, 'r')));
}

TEST(WhipEndpointTest, LocationsEncodeTheRoomAndParseBack) {
  EXPECT_EQ(WhipEndpoint::location("stage", "Ab12"), "/whip/stage/Ab12");
  EXPECT_EQ(WhipEndpoint::location("my stage/é", "Ab12"), "/whip/my%20stage%2F%C3%A9/Ab12");
  auto back =
      WhipEndpoint::parse_path("/whip/my stage/Ab12");  // as the server decodes "/whip/my%20stage/Ab12"
  ASSERT_TRUE(back);
  EXPECT_EQ(back->room, "my stage");
}

TEST(WhipEndpointTest, EachRoomRefusalHasItsStatus) {
  EXPECT_EQ(WhipEndpoint::status_of("bad_sdp"), 400);
  EXPECT_EQ(WhipEndpoint::status_of("too_many_tracks"), 400);
  EXPECT_EQ(WhipEndpoint::status_of("publish_not_allowed"), 403);
  EXPECT_EQ(WhipEndpoint::status_of("room_full"), 409);
  EXPECT_EQ(WhipEndpoint::status_of("e2ee_unsupported"), 409);
  EXPECT_EQ(WhipEndpoint::status_of("anything else"), 500);
}

}  // namespace
}  // namespace ct::signal
