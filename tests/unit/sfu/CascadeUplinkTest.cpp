#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "CascadeLinkTestSupport.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/CascadeUplink.hpp"
#include "sfu/Publication.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kSsrc = 0x1111;

// The origin's side: a publisher's video track (its RTCP recorded), sent on
// to two other nodes of the room over their links.
class CascadeUplinkTest : public ::testing::Test {
 protected:
  CascadeUplinkTest() {
    PublicationParams params;
    params.video = true;
    params.codec_name = "VP8";
    params.clock_rate = 90000;
    params.payload_type = 96;
    params.nack = true;
    params.ssrc = kSsrc;
    TrackInfo info;
    info.sid = "TR_cam";
    info.publisher = "alice";
    info.kind = "video";
    publication = std::make_unique<Publication>(info, params, publisher, 7, milliseconds(500));
  }

  void publish(uint16_t seq) {
    auto bytes = plain_rtp(kSsrc, seq);
    auto packet = rtp::RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    publication->on_rtp(*packet, now);
  }

  TimePoint now = TimePoint{} + seconds(100);
  RecordingFeedback publisher;
  std::unique_ptr<Publication> publication;
  RecordingLink to_b, to_c;
};

TEST_F(CascadeUplinkTest, EachPacketGoesOnceToEachNodeThatWantsTheTrack) {
  CascadeUplink b(to_b), c(to_c);
  EXPECT_TRUE(b.start(*publication));
  EXPECT_FALSE(b.start(*publication));  // a second subscriber on B changes nothing on the link
  EXPECT_TRUE(c.start(*publication));
  for (uint16_t seq = 10; seq < 20; ++seq) publish(seq);
  ASSERT_EQ(to_b.rtp.size(), 10u);
  EXPECT_EQ(to_c.rtp.size(), 10u);
  EXPECT_EQ(b.counters().packets_sent, 10u);
  EXPECT_EQ(b.streams(), 1u);
  EXPECT_EQ(rtp::RtpPacket::parse(to_b.rtp[3])->sequence_number(), 13);
  EXPECT_EQ(publication->relay_count(), 2u);
}

TEST_F(CascadeUplinkTest, StoppedTrackNoLongerGoes) {
  CascadeUplink b(to_b);
  b.start(*publication);
  publish(1);
  EXPECT_TRUE(b.stop(*publication));
  EXPECT_FALSE(b.stop(*publication));
  publish(2);
  EXPECT_EQ(to_b.rtp.size(), 1u);
  EXPECT_EQ(b.streams(), 0u);
  EXPECT_EQ(publication->relay_count(), 0u);
}

TEST_F(CascadeUplinkTest, KeyframeRequestFromTheOtherNodeReachesThePublisher) {
  CascadeUplink b(to_b);
  b.start(*publication);
  publish(1);
  b.on_keyframe_request(kSsrc, now);
  EXPECT_EQ(plis_in(publisher.sent), std::vector<uint32_t>{kSsrc});
  EXPECT_EQ(b.counters().keyframe_requests, 1u);
  // For an SSRC the link does not carry: nothing goes to the publisher.
  b.on_keyframe_request(0x9999, now);
  EXPECT_EQ(publisher.sent.size(), 1u);
  EXPECT_EQ(b.counters().unanswered_feedback, 1u);
}

TEST_F(CascadeUplinkTest, NackIsAnsweredFromTheRetransmissionBuffer) {
  CascadeUplink b(to_b);
  b.start(*publication);
  for (uint16_t seq = 1; seq <= 5; ++seq) publish(seq);
  b.on_nack(kSsrc, 3, now);
  ASSERT_EQ(to_b.rtp.size(), 6u);
  EXPECT_EQ(to_b.rtp.back(), to_b.rtp[2]);
  EXPECT_EQ(b.counters().retransmissions, 1u);
  b.on_nack(kSsrc, 900, now);  // never received
  EXPECT_EQ(to_b.rtp.size(), 6u);
  EXPECT_EQ(b.counters().unanswered_feedback, 1u);
}

TEST_F(CascadeUplinkTest, ALinkThatLosesPacketsGetsThemAgainOnNack) {
  CascadeUplink b(to_b, 0.2);  // test-only loss on the link
  b.start(*publication);
  for (uint16_t seq = 1; seq <= 200; ++seq) publish(seq);
  const auto dropped = b.counters().dropped_by_fault_injection;
  EXPECT_GT(dropped, 20u);
  EXPECT_LT(dropped, 60u);
  EXPECT_EQ(b.counters().packets_sent + dropped, 200u);
  std::vector<uint16_t> lost;
  std::vector<bool> seen(201, false);
  for (auto& bytes : to_b.rtp) seen[rtp::RtpPacket::parse(bytes)->sequence_number()] = true;
  for (uint16_t seq = 1; seq <= 200; ++seq)
    if (!seen[seq]) lost.push_back(seq);
  ASSERT_EQ(lost.size(), dropped);
  // Packets sent again are never dropped: every NACK is answered.
  for (uint16_t seq : lost) b.on_nack(kSsrc, seq, now);
  EXPECT_EQ(b.counters().retransmissions, dropped);
  EXPECT_EQ(to_b.rtp.size(), 200u);
}

TEST_F(CascadeUplinkTest, UnpublishedTrackLeavesTheLink) {
  CascadeUplink b(to_b), c(to_c);
  b.start(*publication);
  c.start(*publication);
  publication.reset();
  EXPECT_EQ(b.streams(), 0u);
  EXPECT_EQ(c.streams(), 0u);
}

TEST_F(CascadeUplinkTest, ARelayedSimulcastTrackKeepsEveryLayerWanted) {
  PublicationParams params;
  params.video = true;
  params.codec_name = "VP8";
  params.clock_rate = 90000;
  params.rids = {"q", "h", "f"};
  TrackInfo info;
  info.sid = "TR_sim";
  Publication simulcast(info, params, publisher, 7, milliseconds(500));
  EXPECT_EQ(simulcast.wanted_layers(), 0u);
  CascadeUplink b(to_b);
  b.start(simulcast);
  EXPECT_EQ(simulcast.wanted_layers(), 0b111u);
}

TEST_F(CascadeUplinkTest, OnlyTheLayersTheOtherNodeWantsGoOnTheLink) {
  PublicationParams params;
  params.video = true;
  params.codec_name = "VP8";
  params.clock_rate = 90000;
  params.payload_type = 96;
  params.rids = {"q", "h", "f"};
  TrackInfo info;
  info.sid = "TR_sim";
  Publication simulcast(info, params, publisher, 7, milliseconds(500));
  for (size_t i = 0; i < 3; ++i) simulcast.set_layer_ssrcs(i, uint32_t(0x100 + i), 0);
  CascadeUplink b(to_b), c(to_c);
  b.start(simulcast);
  c.start(simulcast);
  auto publish_layers = [&](uint16_t seq) {
    for (size_t i = 0; i < 3; ++i) {
      auto bytes = plain_rtp(uint32_t(0x100 + i), seq);
      simulcast.on_rtp(*rtp::RtpPacket::parse(bytes), i, now);
    }
  };
  // B's subscribers all have small tiles: the lowest layer only; C's pick among all.
  EXPECT_TRUE(b.set_wanted_layers(simulcast, 0b001));
  EXPECT_TRUE(c.set_wanted_layers(simulcast, 0));
  for (uint16_t seq = 1; seq <= 10; ++seq) publish_layers(seq);
  ASSERT_EQ(to_b.rtp.size(), 10u);
  for (auto& bytes : to_b.rtp) EXPECT_EQ(rtp::RtpPacket::parse(bytes)->ssrc(), 0x100u);
  EXPECT_EQ(b.counters().unwanted_layer, 20u);
  EXPECT_EQ(to_c.rtp.size(), 30u);
  EXPECT_EQ(simulcast.wanted_layers(), 0b111u);
  // C's subscribers leave: the publisher may stop the layers nobody wants.
  c.stop(simulcast);
  EXPECT_EQ(simulcast.wanted_layers(), 0b001u);
  EXPECT_TRUE(b.set_wanted_layers(simulcast, 0b011));
  EXPECT_EQ(simulcast.wanted_layers(), 0b011u);
  publish_layers(11);
  EXPECT_EQ(to_b.rtp.size(), 12u);
  EXPECT_FALSE(c.set_wanted_layers(simulcast, 0b001));  // not sent to C
}

}  // namespace
}  // namespace ct::sfu::testing
