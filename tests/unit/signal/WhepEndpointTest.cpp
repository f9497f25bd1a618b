#include <gtest/gtest.h>

#include <vector>

#include "signal/WhepEndpoint.hpp"

namespace ct::signal {
namespace {

TEST(WhepEndpointTest, PathsNameARoomAParticipantAndMaybeASession) {
  auto endpoint = WhepEndpoint::parse_path("/whep/stage/alice");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->room, "stage");
  EXPECT_EQ(endpoint->participant, "alice");
  EXPECT_TRUE(endpoint->session.empty());

  auto session = WhepEndpoint::parse_path("/whep/my stage/Alice B/Ab12Cd34");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->room, "my stage");
  EXPECT_EQ(session->participant, "Alice B");
  EXPECT_EQ(session->session, "Ab12Cd34");
}

TEST(WhepEndpointTest, OtherPathsNameNothing) {
  for (const std::string& path : std::vector<std::string>{
           "/whep/", "/whep", "/whep/stage", "/whep/stage/", "/whep//alice", "/whep/stage//s",
           "/whep/stage/alice/", "/whep/stage/alice/s/x", "/whip/stage/alice", "/api/rooms/x", "",
           "/whep/stage/alice/" + std::string(33, 's'), "/whep/" + std::string(129, 'r') + "/alice",
           "/whep/stage/" + std::string(129, 'p')}) {
    EXPECT_FALSE(WhepEndpoint::parse_path(path)) << path;
  }
  EXPECT_TRUE(WhepEndpoint::parse_path("/whep/" + std::string(128, 'r') + "/" + std::string(128, 'p')));
}

TEST(WhepEndpointTest, LocationsEncodeRoomAndParticipantAndParseBack) {
  EXPECT_EQ(WhepEndpoint::location("stage", "alice", "Ab12"), "/whep/stage/alice/Ab12");
  EXPECT_EQ(WhepEndpoint::location("my stage", "é/x", "Ab12"), "/whep/my%20stage/%C3%A9%2Fx/Ab12");
  auto back = WhepEndpoint::parse_path("/whep/my stage/alice/Ab12");  // as the server decodes it
  ASSERT_TRUE(back);
  EXPECT_EQ(back->room, "my stage");
  EXPECT_EQ(back->session, "Ab12");
}

TEST(WhepEndpointTest, EachRefusalHasItsStatus) {
  EXPECT_EQ(WhepEndpoint::status_of("bad_sdp"), 400);
  EXPECT_EQ(WhepEndpoint::status_of("room_not_found"), 404);
  EXPECT_EQ(WhepEndpoint::status_of("participant_not_found"), 404);
  EXPECT_EQ(WhepEndpoint::status_of("track_not_found"), 404);
  EXPECT_EQ(WhepEndpoint::status_of("room_full"), 409);
  EXPECT_EQ(WhepEndpoint::status_of("e2ee_unsupported"), 409);
  EXPECT_EQ(WhepEndpoint::status_of("no_matching_tracks"), 422);
  EXPECT_EQ(WhepEndpoint::status_of("anything else"), 500);
}

}  // namespace
}  // namespace ct::signal
