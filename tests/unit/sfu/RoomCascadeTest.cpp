#include <gtest/gtest.h>

#include <array>

#include "CascadeLinkTestSupport.hpp"
#include "RoomTestSupport.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/CascadeRoomPart.hpp"
#include "sfu/Publication.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kLinkVideoSsrc = 0x0d0d0d0d;

// A publisher on another node, as the node it sends to describes its camera track.
PublicationParams remote_camera() {
  PublicationParams params;
  params.video = true;
  params.codec_name = "VP8";
  params.clock_rate = 90000;
  params.payload_type = 96;
  params.rtx_payload_type = 97;
  params.mid_id = kPubMid;
  params.abs_send_time_id = kPubAbsSendTime;
  params.transport_cc_id = kPubTransportCc;
  return params;
}

TrackInfo camera_info() {
  TrackInfo info;
  info.sid = "TR_remotecam";
  info.kind = "video";
  info.source = "camera";
  info.codec = "VP8";
  info.mid = "1";
  return info;
}

std::vector<rtp::RtpPacket> media_of(std::vector<std::vector<uint8_t>>& packets, uint32_t ssrc) {
  std::vector<rtp::RtpPacket> out;
  for (auto& p : packets) {
    auto r = rtp::RtpPacket::parse(p);
    if (r && r->ssrc() == ssrc && !r->payload().empty()) out.push_back(*r);
  }
  return out;
}

class RoomCascadeTest : public RoomFixture {};

TEST_F(RoomCascadeTest, LocalSubscriberReceivesATrackFromTheLink) {
  make_room();
  Browser& bob = join("bob");
  RecordingLink link;
  CascadeRoomPart part(*room, link, 0xABCD, milliseconds(500));
  ParticipantInfo alice;
  alice.identity = "alice";
  alice.name = "Alice";
  ASSERT_FALSE(part.join(alice, Clock::now()));
  ASSERT_EQ(bob.sink->count<event::ParticipantJoined>(), 1u);
  EXPECT_EQ(bob.sink->last<event::ParticipantJoined>().participant.identity, "alice");

  const std::array<uint32_t, 1> ssrcs{kLinkVideoSsrc};
  Publication* track = part.publish("alice", camera_info(), remote_camera(), ssrcs, Clock::now());
  ASSERT_NE(track, nullptr);
  ASSERT_EQ(bob.sink->count<event::TrackPublished>(), 1u);
  EXPECT_EQ(bob.sink->last<event::TrackPublished>().track.publisher, "alice");
  answer_offer(bob);
  const auto offer = bob.sink->last<event::SubscriberOffer>();
  ASSERT_EQ(offer.tracks.size(), 1u);
  const uint32_t bob_ssrc = offered_ssrcs(offer.sdp, offer.tracks[0].mid).first;
  ASSERT_NE(bob_ssrc, 0u);

  for (uint16_t seq = 0; seq < 8; ++seq) {
    auto packet = video_packet(kLinkVideoSsrc, seq, 1000u + 3000u * seq, seq, "1");
    part.on_link_rtp(packet, Clock::now());
  }
  ASSERT_TRUE(run_until([&] { return media_of(bob.subscriber.peer.rtp_received, bob_ssrc).size() >= 8; }));
  EXPECT_EQ(bob.subscriber.peer.srtp_errors, 0u);

  // Bob's keyframe request goes to the other node, not to a browser here.
  const size_t before = plis_in(link.rtcp).size();
  std::array<uint8_t, 64> pli;
  const size_t n = rtp::RtcpPli::build(pli, 1, bob_ssrc);
  bob.subscriber.peer.send_rtcp(std::span<const uint8_t>(pli.data(), n));
  // The part ticks with the room (its publications have no transport for the room to tick).
  ASSERT_TRUE(run_until([&] {
    part.on_tick(Clock::now());
    return plis_in(link.rtcp).size() > before;
  }));
  EXPECT_EQ(plis_in(link.rtcp).back(), kLinkVideoSsrc);
}

TEST_F(RoomCascadeTest, UnpublishedAndLeftAtTheOriginMeansGoneHere) {
  make_room();
  Browser& bob = join("bob");
  RecordingLink link;
  CascadeRoomPart part(*room, link, 0xABCD, milliseconds(500));
  ParticipantInfo alice;
  alice.identity = "alice";
  ASSERT_FALSE(part.join(alice, Clock::now()));
  const std::array<uint32_t, 1> ssrcs{kLinkVideoSsrc};
  ASSERT_NE(part.publish("alice", camera_info(), remote_camera(), ssrcs, Clock::now()), nullptr);
  // Not one of the link's participants, or a sid already there.
  EXPECT_EQ(part.publish("bob", camera_info(), remote_camera(), ssrcs, Clock::now()), nullptr);
  EXPECT_EQ(part.publish("alice", camera_info(), remote_camera(), ssrcs, Clock::now()), nullptr);
  answer_offer(bob);

  EXPECT_TRUE(part.unpublish("alice", "TR_remotecam", Clock::now()));
  EXPECT_FALSE(part.unpublish("alice", "TR_remotecam", Clock::now()));
  ASSERT_EQ(bob.sink->count<event::TrackUnpublished>(), 1u);
  EXPECT_EQ(part.remote().route_count(), 0u);
  auto stale = video_packet(kLinkVideoSsrc, 1, 1000, 1, "1");
  part.on_link_rtp(stale, Clock::now());
  EXPECT_EQ(part.remote().counters().unknown_ssrc, 1u);

  ASSERT_NE(part.publish("alice", camera_info(), remote_camera(), ssrcs, Clock::now()), nullptr);
  EXPECT_TRUE(part.leave("alice", "left", Clock::now()));
  EXPECT_FALSE(part.leave("alice", "left", Clock::now()));
  EXPECT_EQ(bob.sink->count<event::TrackUnpublished>(), 2u);
  ASSERT_EQ(bob.sink->count<event::ParticipantLeft>(), 1u);
  EXPECT_EQ(room->participant_count(), 1u);
  EXPECT_EQ(part.remote().route_count(), 0u);
}

TEST_F(RoomCascadeTest, AnIdentityHereIsNotTakenOverFromTheLink) {
  make_room();
  join("alice");
  RecordingLink link;
  CascadeRoomPart part(*room, link, 0xABCD, milliseconds(500));
  ParticipantInfo alice;
  alice.identity = "alice";
  auto error = part.join(alice, Clock::now());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "participant_exists");
}

TEST_F(RoomCascadeTest, TheLinkGoingAwayTakesItsParticipantsOut) {
  make_room();
  Browser& bob = join("bob");
  {
    RecordingLink link;
    CascadeRoomPart part(*room, link, 0xABCD, milliseconds(500));
    ParticipantInfo alice;
    alice.identity = "alice";
    ASSERT_FALSE(part.join(alice, Clock::now()));
    const std::array<uint32_t, 1> ssrcs{kLinkVideoSsrc};
    ASSERT_NE(part.publish("alice", camera_info(), remote_camera(), ssrcs, Clock::now()), nullptr);
    EXPECT_EQ(room->participant_count(), 2u);
  }
  EXPECT_EQ(room->participant_count(), 1u);
  EXPECT_EQ(bob.sink->count<event::TrackUnpublished>(), 1u);
  EXPECT_EQ(bob.sink->last<event::ParticipantLeft>().reason, "node_left");
}

}  // namespace
}  // namespace ct::sfu::testing
