// What the room service API does to a room (docs/api.md): remove, mute,
// change permissions, send data from the server. The room runs on real
// loopback transports (RoomTestSupport).
#include "RoomTestSupport.hpp"
#include "sfu/DataPacket.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kAudioSsrc = 0x0a0a0a0a, kVideoSsrc = 0x0b0b0b0b, kRtxSsrc = 0x0c0c0c0c;

std::vector<Track> av_tracks() {
  return {Track{"0", false, kAudioSsrc, 0}, Track{"1", true, kVideoSsrc, kRtxSsrc}};
}

class RoomAdminTest : public RoomFixture {};

TEST_F(RoomAdminTest, ListsEveryoneWithTracksAndKnowsWhenItWasMade) {
  auto before = std::chrono::system_clock::now();
  make_room();
  auto& a = join("alice");
  ParticipantInfo hidden;
  hidden.hidden = true;
  join("recorder", hidden);
  publish(a, av_tracks());
  auto list = room->participants();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].info.identity, "alice");
  EXPECT_EQ(list[0].tracks.size(), 2u);
  EXPECT_TRUE(list[1].info.hidden);  // an administrator sees recorders too
  EXPECT_GE(room->created_at(), std::chrono::floor<std::chrono::seconds>(before));
  EXPECT_LE(room->created_at(), std::chrono::system_clock::now());
}

TEST_F(RoomAdminTest, RemovedParticipantIsToldWhyAndTheOthersSeeItLeave) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  publish(a, av_tracks());
  EXPECT_TRUE(room->remove_participant("alice", "removed_by_admin"));
  EXPECT_EQ(a.sink->last<event::Removed>().reason, "removed_by_admin");
  auto left = b.sink->last<event::ParticipantLeft>();
  EXPECT_EQ(left.identity, "alice");
  EXPECT_EQ(left.reason, "removed_by_admin");
  EXPECT_EQ(b.sink->count<event::TrackUnpublished>(), 2u);
  EXPECT_EQ(room->participant_count(), 1u);
  EXPECT_FALSE(room->remove_participant("alice", "removed_by_admin"));
}

TEST_F(RoomAdminTest, AdminMuteStopsForwardingAndTellsThePublisherToo) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  publish(a, av_tracks());
  auto video = a.sink->last<event::PublisherAnswer>().tracks.at(1);
  ASSERT_EQ(video.kind, "video");
  EXPECT_FALSE(room->mute_track("alice", video.sid, true));
  EXPECT_TRUE(a.sink->last<event::TrackMuted>().muted);  // the publisher's own UI
  auto seen = b.sink->last<event::TrackMuted>();
  EXPECT_EQ(seen.sid, video.sid);
  EXPECT_TRUE(seen.muted);
  EXPECT_TRUE(room->participants()[0].tracks[1].muted);
  EXPECT_EQ(room->mute_track("alice", "TR_nope", true)->code, "track_not_found");
  EXPECT_EQ(room->mute_track("nobody", video.sid, true)->code, "participant_not_found");
  EXPECT_FALSE(room->mute_track("alice", video.sid, false));
  EXPECT_FALSE(b.sink->last<event::TrackMuted>().muted);
}

TEST_F(RoomAdminTest, RevokedPublishUnpublishesAndIsEnforced) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  publish(a, av_tracks());
  ParticipantUpdate u;
  u.can_publish = false;
  u.name = "Alice (muted by host)";
  EXPECT_FALSE(room->update_participant_by_admin("alice", u));
  auto updated = a.sink->last<event::ParticipantUpdated>();  // the participant itself is told
  EXPECT_FALSE(updated.participant.can_publish);
  EXPECT_EQ(updated.participant.name, "Alice (muted by host)");
  EXPECT_EQ(b.sink->last<event::ParticipantUpdated>().participant.name, "Alice (muted by host)");
  EXPECT_EQ(b.sink->count<event::TrackUnpublished>(), 2u);
  EXPECT_TRUE(room->participants()[0].tracks.empty());
  // Its next offer is refused.
  room->publisher_offer("alice", publisher_offer_sdp(a.publisher.peer, av_tracks()), {}, Clock::now());
  EXPECT_EQ(a.sink->last<event::Error>().code, "publish_not_allowed");
  EXPECT_EQ(room->update_participant_by_admin("nobody", u)->code, "participant_not_found");
}

TEST_F(RoomAdminTest, SubscribePermissionComesAndGoes) {
  make_room();
  auto& a = join("alice");
  ParticipantInfo viewer;
  viewer.can_subscribe = false;
  auto& v = join("viewer", viewer);
  publish(a, av_tracks());
  EXPECT_EQ(v.sink->count<event::SubscriberOffer>(), 0u);
  ParticipantUpdate grant;
  grant.can_subscribe = true;
  EXPECT_FALSE(room->update_participant_by_admin("viewer", grant));
  ASSERT_EQ(v.sink->count<event::SubscriberOffer>(), 1u);  // a new subscriber connection with both tracks
  EXPECT_EQ(v.sink->last<event::SubscriberOffer>().tracks.size(), 2u);
  answer_offer(v);

  ParticipantUpdate revoke;
  revoke.can_subscribe = false;
  EXPECT_FALSE(room->update_participant_by_admin("viewer", revoke));
  ASSERT_EQ(v.sink->count<event::SubscriberOffer>(), 2u);  // the tracks go
  EXPECT_TRUE(v.sink->last<event::SubscriberOffer>().tracks.empty());
  answer_offer(v);
  // A later publication is not offered.
  auto& c = join("carol");
  publish(c, {Track{"0", false, 0x0d0d0d0d, 0}});
  EXPECT_EQ(v.sink->count<event::SubscriberOffer>(), 2u);
}

TEST_F(RoomAdminTest, ServerDataReachesEveryoneOrTheNamedAsTheServersKind) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  for (auto* who : {&a, &b}) {
    who->subscriber.peer.enable_data_channels();
    ASSERT_TRUE(run_until([&] { return who->subscriber.peer.remote_channels.size() == 2; }));
  }
  std::string text = "the room closes in 5 minutes";
  std::span<const uint8_t> payload(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  EXPECT_EQ(room->send_server_data("notice", payload, {}, true), 2u);
  ASSERT_TRUE(run_until([&] {
    return a.subscriber.peer.data_received.size() == 1 && b.subscriber.peer.data_received.size() == 1;
  }));
  const auto& bytes = b.subscriber.peer.data_received[0].bytes;
  ASSERT_GT(bytes.size(), 2u);
  EXPECT_EQ(bytes[1], DataPacket::kKindServer);
  EXPECT_EQ(bytes[2], 0);  // no sender
  EXPECT_EQ(std::string(bytes.end() - text.size(), bytes.end()), text);

  EXPECT_EQ(room->send_server_data("notice", payload, {"bob", "nobody"}, true), 1u);
  ASSERT_TRUE(run_until([&] { return b.subscriber.peer.data_received.size() == 2; }));
  run_for(milliseconds(50));
  EXPECT_EQ(a.subscriber.peer.data_received.size(), 1u);
}

}  // namespace
}  // namespace ct::sfu::testing
