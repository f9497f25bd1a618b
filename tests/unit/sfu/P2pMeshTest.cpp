// The direct-connection decision: direct while few enough, nothing recorded
// and nobody failed; off at once, back only after the delay.
#include <gtest/gtest.h>

#include "sfu/P2pMesh.hpp"

namespace ct::sfu {
namespace {

const Duration kDelay = seconds(5);

TEST(P2pMesh, ARoomWithoutTheSettingNeverGoesDirect) {
  P2pMesh mesh(false, 2, kDelay);
  TimePoint t{};
  EXPECT_FALSE(mesh.update({"a", "b"}, false, t));
  EXPECT_FALSE(mesh.update({"a", "b"}, false, t + seconds(60)));
  EXPECT_FALSE(mesh.direct());
  EXPECT_TRUE(mesh.peers().empty());
  EXPECT_FALSE(mesh.report_failure("a", "b"));
}

TEST(P2pMesh, TwoAreDirectAThirdMovesEveryoneToTheSfuAtOnce) {
  P2pMesh mesh(true, 2, kDelay);
  TimePoint t{};
  EXPECT_TRUE(mesh.update({"a"}, false, t));  // the first member is news
  EXPECT_TRUE(mesh.direct());
  EXPECT_TRUE(mesh.update({"a", "b"}, false, t));
  EXPECT_EQ(mesh.peers(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(mesh.is_peer("b"));
  EXPECT_FALSE(mesh.update({"a", "b"}, false, t + seconds(1)));  // nothing new
  EXPECT_TRUE(mesh.update({"a", "b", "c"}, false, t + seconds(2)));
  EXPECT_FALSE(mesh.direct());
  EXPECT_TRUE(mesh.peers().empty());
  EXPECT_FALSE(mesh.is_peer("a"));
}

TEST(P2pMesh, BackToDirectOnlyAfterTheDelay) {
  P2pMesh mesh(true, 2, kDelay);
  TimePoint t{};
  mesh.update({"a", "b", "c"}, false, t);
  ASSERT_FALSE(mesh.direct());
  EXPECT_FALSE(mesh.update({"a", "b"}, false, t + seconds(1)));
  EXPECT_FALSE(mesh.update({"a", "b"}, false, t + seconds(5)));
  EXPECT_FALSE(mesh.direct());
  EXPECT_TRUE(mesh.update({"a", "b"}, false, t + seconds(6)));
  EXPECT_TRUE(mesh.direct());
  EXPECT_EQ(mesh.peers(), (std::vector<std::string>{"a", "b"}));
}

TEST(P2pMesh, ADropInRestartsTheDelay) {
  P2pMesh mesh(true, 2, kDelay);
  TimePoint t{};
  mesh.update({"a", "b", "c"}, false, t);
  mesh.update({"a", "b"}, false, t + seconds(1));
  mesh.update({"a", "b", "d"}, false, t + seconds(4));  // someone else drops in
  EXPECT_FALSE(mesh.update({"a", "b"}, false, t + seconds(7)));
  EXPECT_FALSE(mesh.direct());
  EXPECT_TRUE(mesh.update({"a", "b"}, false, t + seconds(12)));
}

TEST(P2pMesh, AMeshOfUpToMaxPeers) {
  P2pMesh mesh(true, 4, kDelay);
  TimePoint t{};
  EXPECT_TRUE(mesh.update({"a", "b", "c", "d"}, false, t));
  EXPECT_TRUE(mesh.direct());
  EXPECT_TRUE(mesh.update({"a", "b", "c", "d", "e"}, false, t));
  EXPECT_FALSE(mesh.direct());
}

TEST(P2pMesh, RecordingOrAParticipantThatCannotMeshForcesTheSfu) {
  P2pMesh mesh(true, 2, kDelay);
  TimePoint t{};
  mesh.update({"a", "b"}, false, t);
  EXPECT_TRUE(mesh.update({"a", "b"}, true, t + seconds(1)));
  EXPECT_FALSE(mesh.direct());
  EXPECT_FALSE(mesh.update({"a", "b"}, true, t + seconds(30)));  // still recording
  EXPECT_FALSE(mesh.update({"a", "b"}, false, t + seconds(31)));
  EXPECT_TRUE(mesh.update({"a", "b"}, false, t + seconds(36)));
}

TEST(P2pMesh, AFailureHoldsForTheSameMembership) {
  P2pMesh mesh(true, 2, kDelay);
  TimePoint t{};
  mesh.update({"a", "b"}, false, t);
  EXPECT_FALSE(mesh.report_failure("a", "a"));
  EXPECT_FALSE(mesh.report_failure("a", "z"));
  EXPECT_FALSE(mesh.report_failure("z", "a"));
  EXPECT_TRUE(mesh.direct());
  EXPECT_TRUE(mesh.report_failure("a", "b"));
  EXPECT_FALSE(mesh.direct());
  EXPECT_FALSE(mesh.report_failure("a", "b"));  // once is enough
  EXPECT_FALSE(mesh.update({"a", "b"}, false, t + seconds(60)));
  EXPECT_FALSE(mesh.direct());
  // b reconnects as someone else would: a new membership gets another try.
  mesh.update({"a"}, false, t + seconds(61));
  EXPECT_TRUE(mesh.update({"a"}, false, t + seconds(66)));
  EXPECT_TRUE(mesh.direct());
}

}  // namespace
}  // namespace ct::sfu
