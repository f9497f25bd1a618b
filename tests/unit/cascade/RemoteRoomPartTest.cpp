// Another node's part of the room, as its control messages describe it, and what changes for the local room.
#include <gtest/gtest.h>

#include "cascade/RemoteRoomPart.hpp"

namespace ct::cascade {
namespace {

using Change = RemoteRoomPart::Change;
using Kind = Change::Kind;
using Changes = std::vector<Change>;

CascadeTrack track(std::string sid, std::string participant, bool published = true) {
  CascadeTrack t;
  t.sid = std::move(sid);
  t.participant = std::move(participant);
  t.kind = "video";
  t.codec = "VP8";
  t.clock_rate = 90000;
  t.payload_type = 96;
  t.layers = {{"", 0, 0}};
  t.published = published;
  return t;
}

TEST(RemoteRoomPartTest, ParticipantsJoinChangeAndLeave) {
  RemoteRoomPart part;
  EXPECT_EQ(part.apply(CascadeParticipant{"alice", "Alice", "", true}),
            (Changes{{Kind::participant_joined, "alice", ""}}));
  EXPECT_TRUE(part.apply(CascadeParticipant{"alice", "Alice", "", true}).empty());  // said again
  EXPECT_EQ(part.apply(CascadeParticipant{"alice", "Alice B.", "", true}),
            (Changes{{Kind::participant_updated, "alice", ""}}));
  EXPECT_EQ(part.participant("alice")->name, "Alice B.");
  EXPECT_EQ(part.apply(CascadeParticipant{"alice", "", "", false}),
            (Changes{{Kind::participant_left, "alice", ""}}));
  EXPECT_EQ(part.participant("alice"), nullptr);
  EXPECT_TRUE(part.apply(CascadeParticipant{"alice", "", "", false}).empty());
}

TEST(RemoteRoomPartTest, TracksArePublishedChangedAndUnpublished) {
  RemoteRoomPart part;
  part.apply(CascadeParticipant{"alice", "", "", true});
  EXPECT_EQ(part.apply(track("TR_v", "alice")), (Changes{{Kind::track_published, "alice", "TR_v"}}));
  EXPECT_TRUE(part.apply(track("TR_v", "alice")).empty());
  auto learned = track("TR_v", "alice");
  learned.layers[0].ssrc = 0x1234;
  EXPECT_EQ(part.apply(learned), (Changes{{Kind::track_changed, "alice", "TR_v"}}));
  EXPECT_EQ(part.track("TR_v")->layers[0].ssrc, 0x1234u);
  EXPECT_EQ(part.apply(track("TR_v", "alice", false)), (Changes{{Kind::track_unpublished, "alice", "TR_v"}}));
  EXPECT_EQ(part.track("TR_v"), nullptr);
}

TEST(RemoteRoomPartTest, ALeaverLosesItsTracksFirst) {
  RemoteRoomPart part;
  part.apply(CascadeParticipant{"alice", "", "", true});
  part.apply(CascadeParticipant{"bob", "", "", true});
  part.apply(track("TR_a1", "alice"));
  part.apply(track("TR_a2", "alice"));
  part.apply(track("TR_b1", "bob"));
  EXPECT_EQ(part.apply(CascadeParticipant{"alice", "", "", false}),
            (Changes{{Kind::track_unpublished, "alice", "TR_a1"},
                     {Kind::track_unpublished, "alice", "TR_a2"},
                     {Kind::participant_left, "alice", ""}}));
  EXPECT_EQ(part.track_count(), 1u);
  EXPECT_EQ(part.clear(),
            (Changes{{Kind::track_unpublished, "bob", "TR_b1"}, {Kind::participant_left, "bob", ""}}));
  EXPECT_EQ(part.participant_count(), 0u);
  EXPECT_EQ(part.track_count(), 0u);
}

TEST(RemoteRoomPartTest, APeerCannotAnnounceForStrangersOrMoveTracks) {
  RemoteRoomPart part;
  EXPECT_TRUE(part.apply(track("TR_x", "nobody")).empty());
  part.apply(CascadeParticipant{"alice", "", "", true});
  part.apply(CascadeParticipant{"bob", "", "", true});
  part.apply(track("TR_a", "alice"));
  EXPECT_TRUE(part.apply(track("TR_a", "bob")).empty());
  EXPECT_TRUE(part.apply(track("TR_a", "bob", false)).empty());
  EXPECT_EQ(part.track("TR_a")->participant, "alice");
  EXPECT_TRUE(part.apply(CascadeWant{"TR_a", 3}).empty());
}

TEST(RemoteRoomPartTest, StaysWithinItsBounds) {
  RemoteRoomPart part;
  for (size_t i = 0; i < RemoteRoomPart::kMaxParticipants + 5; ++i)
    part.apply(CascadeParticipant{"p" + std::to_string(i), "", "", true});
  EXPECT_EQ(part.participant_count(), RemoteRoomPart::kMaxParticipants);
  for (size_t i = 0; i < RemoteRoomPart::kMaxTracks + 5; ++i)
    part.apply(track("TR_" + std::to_string(i), "p0"));
  EXPECT_EQ(part.track_count(), RemoteRoomPart::kMaxTracks);
}

}  // namespace
}  // namespace ct::cascade
