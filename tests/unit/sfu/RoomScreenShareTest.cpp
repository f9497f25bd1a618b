// A long call in which one participant starts and stops sharing its screen
// many times: the others see each share, and their subscriber connection's
// offers stay bounded (stopped m-sections are recycled, JSEP §5.2.2).
#include <set>

#include "RoomTestSupport.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kAudioSsrc = 0x0a0a0a0a, kVideoSsrc = 0x0b0b0b0b, kRtxSsrc = 0x0c0c0c0c;

size_t media_sections(const std::string& sdp_text) {
  auto d = sdp::SessionDescription::parse(sdp_text);
  return d.ok() ? d->media.size() : 0;
}

size_t received(test::TestPeer& peer, uint32_t ssrc) {
  size_t n = 0;
  for (auto& p : peer.rtp_received) {
    auto r = rtp::RtpPacket::parse(p);
    if (r && r->ssrc() == ssrc) ++n;
  }
  return n;
}

class RoomScreenShareTest : public RoomFixture {};

TEST_F(RoomScreenShareTest, TwentySharesAreEachSeenAndTheOfferStaysBounded) {
  make_room();
  auto& alice = join("alice");
  auto& bob = join("bob");
  const std::vector<Track> camera = {Track{"0", false, kAudioSsrc}, Track{"1", true, kVideoSsrc, kRtxSsrc}};
  publish(alice, camera);
  answer_offer(bob);
  const size_t base = media_sections(bob.sink->last<event::SubscriberOffer>().sdp);

  std::set<std::string> mids;
  for (uint32_t share = 0; share < 20; ++share) {
    // The browser shares its screen in a third section, then stops it.
    const uint32_t screen_ssrc = 0x50000000 + share;
    auto with_screen = camera;
    with_screen.push_back(Track{"2", true, screen_ssrc, screen_ssrc + 0x100});
    TrackMeta meta;
    meta.mid = "2";
    meta.source = "screen_share";
    publish(alice, with_screen, {meta});
    auto offer = bob.sink->last<event::SubscriberOffer>();
    ASSERT_EQ(offer.tracks.size(), 3u) << "share " << share;
    const TrackInfo& screen = offer.tracks.back();
    EXPECT_EQ(screen.source, "screen_share");
    EXPECT_TRUE(mids.insert(screen.mid).second) << "a mid is never reused (RFC 8843 §7.2.2)";
    EXPECT_LE(media_sections(offer.sdp), base + 2) << "share " << share;
    answer_offer(bob);

    // Bob receives it under the SSRC the offer declared for it.
    uint32_t declared = offered_ssrcs(offer.sdp, screen.mid).first;
    ASSERT_NE(declared, 0u);
    for (uint16_t i = 0; i < 3; ++i)
      alice.publisher.peer.send_rtp(
          video_packet(screen_ssrc, uint16_t(100 + i), 3000u * i, uint16_t(share * 8 + i), "2"));
    ASSERT_TRUE(run_until([&] { return received(bob.subscriber.peer, declared) >= 3; })) << "share " << share;

    auto stopped = camera;
    stopped.push_back(Track{"2", true, screen_ssrc, screen_ssrc + 0x100, false});
    publish(alice, stopped);
    ASSERT_EQ(bob.sink->last<event::SubscriberOffer>().tracks.size(), 2u);
    answer_offer(bob);
  }
  EXPECT_LE(media_sections(bob.sink->last<event::SubscriberOffer>().sdp), base + 2);
  EXPECT_EQ(bob.sink->count<event::Error>(), 0u);
}

}  // namespace
}  // namespace ct::sfu::testing
