#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "CascadeLinkTestSupport.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/CascadeUplink.hpp"
#include "sfu/PublicationLayer.hpp"
#include "sfu/RemotePublisher.hpp"

namespace ct::sfu::testing {
namespace {

TrackInfo video_info(std::string sid, std::vector<std::string> rids = {}) {
  TrackInfo info;
  info.sid = std::move(sid);
  info.publisher = "alice";
  info.kind = "video";
  info.codec = "VP8";
  info.rids = rids;
  return info;
}

PublicationParams video_params(std::vector<std::string> rids = {}) {
  PublicationParams params;
  params.video = true;
  params.codec_name = "VP8";
  params.clock_rate = 90000;
  params.payload_type = 96;
  params.rtx_payload_type = 97;
  params.rids = std::move(rids);
  return params;
}

class RemotePublisherTest : public ::testing::Test {
 protected:
  void arrive(uint32_t ssrc, uint16_t seq) {
    auto bytes = plain_rtp(ssrc, seq);
    remote.on_link_rtp(bytes, now);
  }

  TimePoint now = TimePoint{} + seconds(100);
  RecordingLink link;
  RemotePublisher remote{link, 0xABCD, milliseconds(500)};
};

TEST_F(RemotePublisherTest, PacketsFromTheLinkReachTheTrackOfTheirSsrc) {
  const std::array<uint32_t, 1> ssrcs{0x1111};
  auto track = remote.make(video_info("TR_a"), video_params(), ssrcs);
  ASSERT_NE(track, nullptr);
  for (uint16_t seq = 1; seq <= 4; ++seq) arrive(0x1111, seq);
  arrive(0x2222, 1);  // no such track
  std::vector<uint8_t> garbage{1, 2, 3};
  remote.on_link_rtp(garbage, now);
  EXPECT_EQ(track->stats().packets_in, 4u);
  EXPECT_TRUE(track->find_packet(3, now));
  EXPECT_EQ(remote.counters().packets_in, 4u);
  EXPECT_EQ(remote.counters().unknown_ssrc, 1u);
  EXPECT_EQ(remote.counters().malformed, 1u);
}

TEST_F(RemotePublisherTest, SimulcastLayersAreToldApartBySsrc) {
  const std::array<uint32_t, 3> ssrcs{0x10, 0x20, 0x30};
  auto track = remote.make(video_info("TR_s", {"q", "h", "f"}), video_params({"q", "h", "f"}), ssrcs);
  ASSERT_NE(track, nullptr);
  ASSERT_EQ(track->layer_count(), 3u);
  arrive(0x20, 1);
  arrive(0x20, 2);
  arrive(0x30, 1);
  EXPECT_FALSE(track->layer(0).received());
  EXPECT_TRUE(track->layer(1).find_packet(2, now));
  EXPECT_TRUE(track->layer(2).received());
  // Nobody here subscribes: no layer is wanted (what the origin sends follows this node's subscribers).
  EXPECT_EQ(track->wanted_layers(), 0u);
}

TEST_F(RemotePublisherTest, SsrcsLearnedLaterRouteFromThen) {
  auto track = remote.make(video_info("TR_a"), video_params(), {});
  arrive(0x1111, 1);
  EXPECT_EQ(remote.counters().unknown_ssrc, 1u);
  const std::array<uint32_t, 1> ssrcs{0x1111};
  EXPECT_TRUE(remote.set_layer_ssrcs("TR_a", ssrcs));
  EXPECT_FALSE(remote.set_layer_ssrcs("TR_none", ssrcs));
  arrive(0x1111, 2);
  EXPECT_EQ(track->stats().packets_in, 1u);
}

TEST_F(RemotePublisherTest, KeyframeRequestsGoBackOverTheLink) {
  const std::array<uint32_t, 1> ssrcs{0x1111};
  auto track = remote.make(video_info("TR_a"), video_params(), ssrcs);
  arrive(0x1111, 1);
  track->request_keyframe(now);
  EXPECT_EQ(plis_in(link.rtcp), std::vector<uint32_t>{0x1111});
  EXPECT_EQ(track->stats().keyframe_requests_sent, 1u);
}

TEST_F(RemotePublisherTest, GapsOnTheLinkAreNackedToTheOrigin) {
  const std::array<uint32_t, 1> ssrcs{0x1111};
  auto track = remote.make(video_info("TR_a"), video_params(), ssrcs);
  for (uint16_t seq : {1, 2, 3, 5, 6}) arrive(0x1111, seq);
  for (int i = 0; i < 30; ++i) {
    now += milliseconds(10);
    remote.on_tick(now);
  }
  const auto lost = nacked_in(link.rtcp);
  EXPECT_NE(std::find(lost.begin(), lost.end(), 4), lost.end());
  EXPECT_EQ(std::count_if(lost.begin(), lost.end(), [](uint16_t s) { return s != 4; }), 0);
}

TEST_F(RemotePublisherTest, ATrackIsRoutedOnceAndUntilItsPublicationEnds) {
  const std::array<uint32_t, 1> ssrcs{0x1111};
  auto track = remote.make(video_info("TR_a"), video_params(), ssrcs);
  ASSERT_NE(track, nullptr);
  EXPECT_EQ(remote.make(video_info("TR_a"), video_params(), {}), nullptr);
  EXPECT_EQ(remote.find("TR_a"), track.get());
  track.reset();  // unpublished: its owner destroyed it
  EXPECT_EQ(remote.route_count(), 0u);
  EXPECT_EQ(remote.find("TR_a"), nullptr);
  arrive(0x1111, 1);
  EXPECT_EQ(remote.counters().unknown_ssrc, 1u);
}

// Both ends in one process: a publisher's packets cross the link once, a
// lost one is fetched again from the origin, and the remote node's keyframe
// request reaches the publisher.
TEST(CascadeRoundTrip, MediaOutFeedbackBack) {
  TimePoint now = TimePoint{} + seconds(100);
  RecordingFeedback publisher;
  PublicationParams params = video_params();
  params.ssrc = 0x1111;
  params.nack = true;
  Publication origin(video_info("TR_a"), params, publisher, 7, milliseconds(500));
  RecordingLink a_to_b, b_to_a;
  CascadeUplink uplink(a_to_b);
  RemotePublisher remote(b_to_a, 0xABCD, milliseconds(500));
  const std::array<uint32_t, 1> ssrcs{0x1111};
  auto copy = remote.make(video_info("TR_a"), video_params(), ssrcs);
  uplink.start(origin);

  for (uint16_t seq = 1; seq <= 6; ++seq) {
    auto bytes = plain_rtp(0x1111, seq);
    origin.on_rtp(*rtp::RtpPacket::parse(bytes), now);
  }
  ASSERT_EQ(a_to_b.rtp.size(), 6u);
  // The link loses packet 4 on the way.
  for (size_t i = 0; i < a_to_b.rtp.size(); ++i)
    if (i != 3) remote.on_link_rtp(a_to_b.rtp[i], now);
  a_to_b.rtp.clear();
  for (int i = 0; i < 30 && nacked_in(b_to_a.rtcp).empty(); ++i) {
    now += milliseconds(10);
    remote.on_tick(now);
  }
  for (uint16_t seq : nacked_in(b_to_a.rtcp)) uplink.on_nack(0x1111, seq, now);
  ASSERT_EQ(a_to_b.rtp.size(), 1u);
  remote.on_link_rtp(a_to_b.rtp[0], now);
  EXPECT_TRUE(copy->find_packet(4, now));
  EXPECT_EQ(copy->stats().packets_in, 6u);

  copy->request_keyframe(now);
  for (uint32_t ssrc : plis_in(b_to_a.rtcp)) uplink.on_keyframe_request(ssrc, now);
  EXPECT_EQ(plis_in(publisher.sent), std::vector<uint32_t>{0x1111});
}

}  // namespace
}  // namespace ct::sfu::testing
