// Simulcast through a whole room: a publisher offers three layers (a=rid,
// a=simulcast, RFC 8851/8853) and sends each on its own SSRC named by the
// RID header extension (RFC 8852); each subscriber gets one layer, chosen by
// its tile, as one continuous stream; hidden tiles get nothing; layers
// nobody receives are reported to the publisher (dynacast).
#include <set>

#include "RoomTestSupport.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/Vp8Payload.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/Subscription.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint8_t kPubRid = 10, kPubRepairedRid = 11;
const char* const kRids[] = {"q", "h", "f"};
constexpr uint32_t kLayerSsrc[] = {0x11110000, 0x22220000, 0x33330000};
constexpr uint16_t kLayerWidth[] = {320, 640, 1280};
constexpr uint16_t kLayerHeight[] = {180, 360, 720};

constexpr uint8_t kVp9Pt = 120;

void replace(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// A Chromium-like simulcast offer: one video section, no a=ssrc lines; VP8,
// or VP9 profile 0 alone (as a browser told to prefer it offers).
std::string simulcast_offer(const test::TestPeer& peer, bool vp9) {
  std::string s = publisher_offer_sdp(peer, {Track{"0", true, 0, 0, true, false}});
  if (vp9) {
    replace(s, "UDP/TLS/RTP/SAVPF 96 97", "UDP/TLS/RTP/SAVPF 120 121");
    replace(s, "a=rtpmap:96 VP8/90000", "a=rtpmap:120 VP9/90000\r\na=fmtp:120 profile-id=0");
    replace(s, "a=rtcp-fb:96 ", "a=rtcp-fb:120 ");
    replace(s, "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96", "a=rtpmap:121 rtx/90000\r\na=fmtp:121 apt=120");
  }
  const std::string mid_line = "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
  s.insert(s.find(mid_line) + mid_line.size(),
           "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
           "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n");
  s += "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n";
  return s;
}

// One packet of one layer: a VP8 descriptor with a 15-bit PictureID, then a
// keyframe header carrying the layer's size, or a delta frame; or a VP9
// descriptor (RFC 9628 §4.2: I, B, E, and P on delta frames). The last
// payload byte names the layer.
std::vector<uint8_t> layer_packet(int layer, uint16_t seq, uint32_t ts, uint16_t picture_id, bool keyframe,
                                  bool vp9 = false, size_t payload_size = 200) {
  std::vector<uint8_t> payload = {0x90, 0x80, uint8_t(0x80 | (picture_id >> 8)), uint8_t(picture_id)};
  if (vp9) {
    payload = {uint8_t(keyframe ? 0x8C : 0xCC), uint8_t(0x80 | (picture_id >> 8)), uint8_t(picture_id), 0x00};
  } else if (keyframe) {
    const uint16_t w = kLayerWidth[layer], h = kLayerHeight[layer];
    payload.insert(payload.end(), {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, uint8_t(w), uint8_t(w >> 8),
                                   uint8_t(h), uint8_t(h >> 8)});
  } else {
    payload.insert(payload.end(), {0x31, 0x0a, 0x00});
  }
  payload.resize(payload_size, 0);
  payload.back() = uint8_t(layer);
  const std::string_view rid = kRids[layer];
  std::vector<uint8_t> out(1500);
  size_t n = rtp::RtpPacketBuilder()
                 .payload_type(vp9 ? kVp9Pt : 96)
                 .sequence_number(seq)
                 .timestamp(ts)
                 .ssrc(kLayerSsrc[layer])
                 .add_extension(kPubMid, std::span(reinterpret_cast<const uint8_t*>("0"), 1))
                 .add_extension(kPubRid, std::span(reinterpret_cast<const uint8_t*>(rid.data()), rid.size()))
                 .payload(payload)
                 .build(out);
  out.resize(n);
  return out;
}

class RoomSimulcastTest : public RoomFixture {
 protected:
  void SetUp() override {
    make_room(options);
    alice = &join("alice");
    bob = &join("bob");
    size_t answers = alice->sink->count<event::PublisherAnswer>();
    room->publisher_offer("alice", simulcast_offer(alice->publisher.peer, vp9), {}, Clock::now());
    ASSERT_EQ(alice->sink->count<event::PublisherAnswer>(), answers + 1);
    take_remote(alice->publisher.peer, alice->sink->last<event::PublisherAnswer>().sdp);
    alice->publisher.peer.send_check();
    ASSERT_TRUE(run_until([&] { return alice->publisher.peer.connected(); }));
    answer_offer(*bob);
    auto offer = bob->sink->last<event::SubscriberOffer>();
    ASSERT_EQ(offer.tracks.size(), 1u);
    sid = offer.tracks[0].sid;
    bob_ssrc = offered_ssrcs(offer.sdp, offer.tracks[0].mid).first;
  }

  // `frames` frames of one packet on every layer, 33 ms apart; keyframes on `key_layers`.
  void send_frames(int frames, std::set<int> key_layers = {}, std::set<int> layers = {0, 1, 2}) {
    for (int f = 0; f < frames; ++f) {
      for (int layer : layers) {
        alice->publisher.peer.send_rtp(layer_packet(layer, seq[layer]++, ts[layer], picture_id[layer],
                                                    f == 0 && key_layers.count(layer) > 0, vp9,
                                                    payload_size[layer]));
        ts[layer] += 3000;
        picture_id[layer] = uint16_t((picture_id[layer] + 1) & 0x7FFF);
      }
      run_for(milliseconds(33));
    }
  }

  // What a subscriber got on `ssrc`, in arrival order.
  static std::vector<rtp::RtpPacket> received(Browser& b, uint32_t ssrc) {
    std::vector<rtp::RtpPacket> out;
    for (auto& bytes : b.subscriber.peer.rtp_received) {
      auto p = rtp::RtpPacket::parse(bytes);
      if (p && p->ssrc() == ssrc) out.push_back(*p);
    }
    return out;
  }

  RoomOptions options;
  bool vp9 = false;
  Browser* alice = nullptr;
  Browser* bob = nullptr;
  std::string sid;
  uint32_t bob_ssrc = 0;
  uint16_t seq[3] = {100, 20000, 40000};
  uint32_t ts[3] = {1000, 900000, 5000000};
  uint16_t picture_id[3] = {10, 2000, 30000};
  size_t payload_size[3] = {200, 200, 200};
};

TEST_F(RoomSimulcastTest, TheAnswerAcceptsTheLayersAndTheTrackNamesThem) {
  auto answer = sdp::SessionDescription::parse(alice->sink->last<event::PublisherAnswer>().sdp);
  ASSERT_TRUE(answer.ok());
  const auto& m = answer->media.at(0);
  ASSERT_EQ(m.rids.size(), 3u);
  EXPECT_EQ(m.rids[0].direction, sdp::RidDirection::recv);
  EXPECT_EQ(m.simulcast, "recv q;h;f");
  std::set<std::string> uris;
  for (const auto& e : m.extmaps) uris.insert(e.uri);
  EXPECT_TRUE(uris.count(std::string(sdp::ext_uri::rid)));
  EXPECT_TRUE(uris.count(std::string(sdp::ext_uri::repaired_rid)));
  const auto track = bob->sink->last<event::SubscriberOffer>().tracks.at(0);
  EXPECT_EQ(track.rids, (std::vector<std::string>{"q", "h", "f"}));
}

TEST_F(RoomSimulcastTest, ASubscriberWithoutSettingsGetsTheTopLayerAsOneStream) {
  send_frames(1, {0, 1, 2});
  send_frames(10);
  auto packets = received(*bob, bob_ssrc);
  ASSERT_EQ(packets.size(), 11u);
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].payload().back(), 2) << i;  // only layer f
    if (i > 0) {
      EXPECT_EQ(packets[i].sequence_number(), uint16_t(packets[i - 1].sequence_number() + 1));
      EXPECT_EQ(packets[i].timestamp(), packets[i - 1].timestamp() + 3000);
    }
  }
}

TEST_F(RoomSimulcastTest, ASmallTileSwitchesDownAtTheLowLayersKeyframeAndBackUp) {
  send_frames(1, {0, 1, 2});
  send_frames(3);
  const size_t plis_before = count_plis(alice->publisher.peer, kLayerSsrc[0]);
  room->update_track_settings("bob", sid, TrackSettings{320, 180, true});
  run_for(milliseconds(50));
  // The switch asks layer q for a keyframe...
  EXPECT_GT(count_plis(alice->publisher.peer, kLayerSsrc[0]), plis_before);
  // ...and layer f goes on until it comes.
  send_frames(2);
  send_frames(5, {0});
  auto packets = received(*bob, bob_ssrc);
  ASSERT_EQ(packets.size(), 11u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(packets[i].payload().back(), 2) << i;
  for (size_t i = 6; i < 11; ++i) EXPECT_EQ(packets[i].payload().back(), 0) << i;
  for (size_t i = 1; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].sequence_number(), uint16_t(packets[i - 1].sequence_number() + 1)) << i;
    EXPECT_GT(uint32_t(packets[i].timestamp() - packets[i - 1].timestamp()), 0u) << i;
    EXPECT_LT(uint32_t(packets[i].timestamp() - packets[i - 1].timestamp()), 90000u) << i;
    auto before = rtp::Vp8Payload::parse(packets[i - 1].payload());
    auto after = rtp::Vp8Payload::parse(packets[i].payload());
    ASSERT_TRUE(before && after);
    EXPECT_EQ(*after->picture_id, uint16_t((*before->picture_id + 1) & 0x7FFF)) << i;
  }
  // A big tile again: up to f at its next keyframe.
  room->update_track_settings("bob", sid, TrackSettings{1280, 720, true});
  send_frames(3, {2});
  packets = received(*bob, bob_ssrc);
  // q's packet of the same frame still goes (it arrives before f's keyframe), then f.
  ASSERT_EQ(packets.size(), 15u);
  EXPECT_EQ(packets[11].payload().back(), 0);
  for (size_t i = 12; i < 15; ++i) EXPECT_EQ(packets[i].payload().back(), 2) << i;
  EXPECT_EQ(packets.back().sequence_number(), uint16_t(packets[10].sequence_number() + 4));
}

TEST_F(RoomSimulcastTest, AHiddenTileGetsNothingAndResumesAtAKeyframe) {
  send_frames(1, {0, 1, 2});
  send_frames(2);
  const size_t before = received(*bob, bob_ssrc).size();
  room->update_track_settings("bob", sid, TrackSettings{640, 360, false});
  send_frames(5, {0, 1, 2});
  EXPECT_EQ(received(*bob, bob_ssrc).size(), before);
  room->update_track_settings("bob", sid, TrackSettings{640, 360, true});
  send_frames(2);  // no keyframe yet: still nothing
  EXPECT_EQ(received(*bob, bob_ssrc).size(), before);
  send_frames(2, {1});
  auto packets = received(*bob, bob_ssrc);
  ASSERT_EQ(packets.size(), before + 2);
  EXPECT_EQ(packets.back().payload().back(), 1);
}

TEST_F(RoomSimulcastTest, AReceiveBandwidthCapSendsTheLayerThatFitsAndLiftingItBringsTheTopBack) {
  payload_size[0] = 100, payload_size[1] = 400, payload_size[2] = 1200;
  send_frames(1, {0, 1, 2});
  send_frames(40);
  // About 31, 103 and 295 kbit/s as measured: 150 kbit/s carries the middle
  // layer (nothing measured would have let the top one through).
  room->set_receive_bandwidth("bob", 150'000);
  send_frames(20);
  send_frames(5, {1});
  auto packets = received(*bob, bob_ssrc);
  ASSERT_GE(packets.size(), 5u);
  EXPECT_EQ(packets.back().payload().back(), 1);
  EXPECT_EQ(bob->sink->count<event::TrackPaused>(), 0u);
  room->set_receive_bandwidth("bob", std::nullopt);
  send_frames(5);
  send_frames(5, {2});
  packets = received(*bob, bob_ssrc);
  EXPECT_EQ(packets.back().payload().back(), 2);
}

TEST_F(RoomSimulcastTest, ACapBelowTheLowestLayerPausesTheTrackAndTellsTheSubscriber) {
  payload_size[0] = 100, payload_size[1] = 400, payload_size[2] = 1200;
  send_frames(1, {0, 1, 2});
  send_frames(40);
  room->set_receive_bandwidth("bob", 10'000);
  run_for(milliseconds(50));
  ASSERT_EQ(bob->sink->count<event::TrackPaused>(), 1u);
  auto paused = bob->sink->last<event::TrackPaused>();
  EXPECT_EQ(paused.sid, sid);
  EXPECT_TRUE(paused.paused);
  EXPECT_EQ(paused.reason, "bandwidth");
  const size_t before = received(*bob, bob_ssrc).size();
  send_frames(10, {0, 1, 2});
  EXPECT_EQ(received(*bob, bob_ssrc).size(), before);
  // Lifted: resumed at once, at the next keyframe.
  room->set_receive_bandwidth("bob", std::nullopt);
  ASSERT_EQ(bob->sink->count<event::TrackPaused>(), 2u);
  EXPECT_FALSE(bob->sink->last<event::TrackPaused>().paused);
  send_frames(3, {2});
  auto packets = received(*bob, bob_ssrc);
  ASSERT_GT(packets.size(), before);
  EXPECT_EQ(packets.back().payload().back(), 2);
}

TEST_F(RoomSimulcastTest, UnknownTracksInSettingsAreAnError) {
  room->update_track_settings("bob", "TR_nope", TrackSettings{});
  EXPECT_EQ(bob->sink->last<event::Error>().code, "track_not_found");
}

TEST_F(RoomSimulcastTest, LayersNobodyReceivesArePausedAtThePublisherAndResumed) {
  send_frames(1, {0, 1, 2});
  room->update_track_settings("bob", sid, TrackSettings{320, 180, true});
  // Keeps every layer live while the unwanted ones wait out the delay.
  const size_t before = alice->sink->count<event::LayersWanted>();
  // q's keyframes (the answer to the switch's PLI) move bob to q; f is then neither wanted nor sent.
  for (int i = 0; i < 4 && alice->sink->count<event::LayersWanted>() == before; ++i) send_frames(30, {0});
  ASSERT_EQ(alice->sink->count<event::LayersWanted>(), before + 1);
  auto wanted = alice->sink->last<event::LayersWanted>();
  EXPECT_EQ(wanted.sid, sid);
  ASSERT_EQ(wanted.layers.size(), 3u);
  EXPECT_EQ(wanted.layers[0].rid, "q");
  EXPECT_TRUE(wanted.layers[0].active);
  EXPECT_FALSE(wanted.layers[1].active);
  EXPECT_FALSE(wanted.layers[2].active);
  // Someone wants f again: it is resumed at once.
  room->update_track_settings("bob", sid, TrackSettings{1280, 720, true});
  run_for(milliseconds(50));
  ASSERT_EQ(alice->sink->count<event::LayersWanted>(), before + 2);
  wanted = alice->sink->last<event::LayersWanted>();
  EXPECT_TRUE(wanted.layers[0].active);
  EXPECT_TRUE(wanted.layers[2].active);
}

TEST_F(RoomSimulcastTest, WhileTheWantedLayerIsPausedTheNextLowerOneIsSent) {
  // Only q and h are sent (f paused at the publisher): once f has had time
  // to start and did not, a big tile gets h from its next keyframe.
  send_frames(1, {0, 1}, {0, 1});
  send_frames(50, {}, {0, 1});
  EXPECT_TRUE(received(*bob, bob_ssrc).empty());
  send_frames(3, {1}, {0, 1});
  auto packets = received(*bob, bob_ssrc);
  ASSERT_FALSE(packets.empty());
  EXPECT_EQ(packets.back().payload().back(), 1);
  // f starts: the switch up asks f for a keyframe and happens at it.
  send_frames(1, {}, {0, 1, 2});
  run_for(milliseconds(50));
  EXPECT_GT(count_plis(alice->publisher.peer, kLayerSsrc[2]), 0u);
  send_frames(2, {2});
  packets = received(*bob, bob_ssrc);
  EXPECT_EQ(packets.back().payload().back(), 2);
}

TEST_F(RoomSimulcastTest, TheFallbackLayerBeingSentStaysWanted) {
  // f never comes (the encoder lacks the bandwidth): a big tile gets h, so
  // h stays on at the publisher; q, which nobody gets, stays on too (the
  // layer a viewer falls to at once when its bandwidth drops).
  send_frames(1, {0, 1}, {0, 1});
  const size_t before = alice->sink->count<event::LayersWanted>();
  // Longer than the unwanted delay: nothing is paused, so nothing is said.
  for (int i = 0; i < 6; ++i) send_frames(30, {1}, {0, 1});
  EXPECT_EQ(alice->sink->count<event::LayersWanted>(), before);
  EXPECT_EQ(received(*bob, bob_ssrc).back().payload().back(), 1);
}

class RoomVp9SimulcastTest : public RoomSimulcastTest {
 protected:
  RoomVp9SimulcastTest() { vp9 = true; }
};

TEST_F(RoomVp9SimulcastTest, Vp9IsAcceptedForwardedUnderOurPayloadTypeAndSwitchedAtItsKeyframes) {
  auto answer = sdp::SessionDescription::parse(alice->sink->last<event::PublisherAnswer>().sdp);
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->media.at(0).codecs.size(), 2u);  // VP9 and its RTX
  EXPECT_EQ(answer->media.at(0).codecs[0].name, "VP9");
  const auto offer = bob->sink->last<event::SubscriberOffer>();
  EXPECT_EQ(offer.tracks.at(0).codec, "VP9");
  EXPECT_NE(offer.sdp.find("a=rtpmap:98 VP9/90000\r\n"), std::string::npos) << offer.sdp;
  EXPECT_NE(offer.sdp.find("a=fmtp:98 profile-id=0\r\n"), std::string::npos) << offer.sdp;

  send_frames(1, {0, 1, 2});
  send_frames(2);
  room->update_track_settings("bob", sid, TrackSettings{320, 180, true});
  send_frames(2);
  send_frames(2, {0});
  auto packets = received(*bob, bob_ssrc);
  ASSERT_EQ(packets.size(), 7u);
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].payload_type(), subscriber_pt::kVp9) << i;
    EXPECT_EQ(packets[i].payload().back(), i < 5 ? 2 : 0) << i;
    if (i > 0) {
      EXPECT_EQ(packets[i].sequence_number(), uint16_t(packets[i - 1].sequence_number() + 1)) << i;
    }
  }
}

// A payload dump (or a recording) taps the top layer, the best the
// publisher sends, and keeps it wanted whoever watches.
class SeenTapFactory final : public PacketTapFactory {
 public:
  explicit SeenTapFactory(std::vector<uint32_t>& ssrcs) : ssrcs_(ssrcs) {}
  std::unique_ptr<PacketTap> tap_for(const std::string&, const std::string&,
                                     const TrackInfo&) const override {
    struct Tap final : PacketTap {
      explicit Tap(std::vector<uint32_t>& s) : seen(s) {}
      void on_packet(const rtp::RtpPacket& p) override { seen.push_back(p.ssrc()); }
      std::vector<uint32_t>& seen;
    };
    return std::make_unique<Tap>(ssrcs_);
  }

 private:
  std::vector<uint32_t>& ssrcs_;
};

class RoomSimulcastTapTest : public RoomSimulcastTest {
 protected:
  RoomSimulcastTapTest() { options.taps = &factory; }
  std::vector<uint32_t> tapped;
  SeenTapFactory factory{tapped};
};

TEST_F(RoomSimulcastTapTest, TapsSeeTheTopLayerOnlyAndKeepItWanted) {
  send_frames(1, {0, 1, 2});
  room->update_track_settings("bob", sid, TrackSettings{320, 180, true});
  const size_t before = alice->sink->count<event::LayersWanted>();
  for (int i = 0; i < 4 && alice->sink->count<event::LayersWanted>() == before; ++i) send_frames(30);
  ASSERT_FALSE(tapped.empty());
  for (uint32_t ssrc : tapped) EXPECT_EQ(ssrc, kLayerSsrc[2]);
  ASSERT_EQ(alice->sink->count<event::LayersWanted>(), before + 1);
  auto wanted = alice->sink->last<event::LayersWanted>();
  EXPECT_TRUE(wanted.layers[0].active);
  EXPECT_FALSE(wanted.layers[1].active);
  EXPECT_TRUE(wanted.layers[2].active);
}

}  // namespace
}  // namespace ct::sfu::testing
