// A participant with only a publisher connection (a WHIP broadcaster): it
// is listed like anyone else with its kind, subscribes to nothing, and what
// it publishes reaches the others.
#include "RoomTestSupport.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kAudioSsrc = 0x0a0a0a0a, kVideoSsrc = 0x0b0b0b0b, kRtxSsrc = 0x0c0c0c0c;

ParticipantInfo ingress_info() {
  ParticipantInfo info;
  info.kind = "ingress";
  info.can_subscribe = false;
  info.can_publish_data = false;
  return info;
}

class RoomIngressTest : public RoomFixture {};

TEST_F(RoomIngressTest, IsListedWithItsKindAndOfferedNothing) {
  make_room();
  auto& viewer = join("viewer");
  auto& broadcaster = join("obs", ingress_info());
  EXPECT_EQ(broadcaster.sink->count<event::SubscriberOffer>(), 0u);
  ASSERT_EQ(viewer.sink->count<event::ParticipantJoined>(), 1u);
  EXPECT_EQ(viewer.sink->last<event::ParticipantJoined>().participant.kind, "ingress");

  auto& late = join("late");
  ASSERT_EQ(late.sink->last<event::Joined>().others.size(), 2u);
  for (const auto& other : late.sink->last<event::Joined>().others)
    EXPECT_EQ(other.info.kind, other.info.identity == "obs" ? "ingress" : "standard");

  // Tracks published by others are not offered to it.
  publish(viewer, {Track{"0", false, 0x01010101, 0}});
  EXPECT_EQ(broadcaster.sink->count<event::SubscriberOffer>(), 0u);
  EXPECT_EQ(late.sink->count<event::TrackPublished>(), 1u);
}

TEST_F(RoomIngressTest, ItsMediaReachesSubscribers) {
  make_room();
  auto& viewer = join("viewer");
  auto& broadcaster = join("obs", ingress_info());
  publish(broadcaster, {Track{"0", false, kAudioSsrc, 0}, Track{"1", true, kVideoSsrc, kRtxSsrc}});
  ASSERT_EQ(broadcaster.sink->last<event::PublisherAnswer>().tracks.size(), 2u);
  ASSERT_EQ(viewer.sink->count<event::TrackPublished>(), 2u);
  answer_offer(viewer);
  auto offer = viewer.sink->last<event::SubscriberOffer>();
  std::string video_mid;
  for (const auto& t : offer.tracks)
    if (t.kind == "video") video_mid = t.mid;
  ASSERT_FALSE(video_mid.empty());
  uint32_t sub_ssrc = offered_ssrcs(offer.sdp, video_mid).first;
  ASSERT_NE(sub_ssrc, 0u);

  for (uint16_t i = 0; i < 10; ++i)
    broadcaster.publisher.peer.send_rtp(video_packet(kVideoSsrc, uint16_t(100 + i), 3000u * i, i, "1"));
  auto received = [&] {
    size_t n = 0;
    for (auto& p : viewer.subscriber.peer.rtp_received) {
      auto r = rtp::RtpPacket::parse(p);
      if (r && r->ssrc() == sub_ssrc) ++n;
    }
    return n;
  };
  EXPECT_TRUE(run_until([&] { return received() >= 10; }));

  room->leave("obs", "left");
  EXPECT_EQ(viewer.sink->last<event::ParticipantLeft>().identity, "obs");
  EXPECT_EQ(viewer.sink->count<event::TrackUnpublished>(), 2u);
}

TEST_F(RoomIngressTest, WithoutASinkEverythingSentToItIsDropped) {
  make_room();
  auto& viewer = join("viewer");
  ParticipantInfo info = ingress_info();
  info.identity = "silent";
  ASSERT_FALSE(room->join(info, nullptr, Clock::now()).has_value());
  EXPECT_EQ(room->participant_count(), 2u);
  publish(viewer, {Track{"0", false, 0x01010101, 0}});
  room->update_participant("viewer", std::string("V"), std::nullopt);
  room->leave("silent", "left");
  EXPECT_EQ(viewer.sink->last<event::ParticipantLeft>().identity, "silent");
}

}  // namespace
}  // namespace ct::sfu::testing