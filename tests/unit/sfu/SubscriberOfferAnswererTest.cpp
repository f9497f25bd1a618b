#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "RoomTestSupport.hpp"
#include "sfu/Publication.hpp"
#include "sfu/SubscriberConnection.hpp"
#include "sfu/SubscriberOfferAnswerer.hpp"

namespace ct::sfu::testing {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CT_FIXTURES_DIR) + "/sdp/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct NoTransportEvents final : webrtc::PeerTransport::Listener {
  void on_rtp(webrtc::PeerTransport&, std::span<uint8_t>, size_t, TimePoint) override {}
  void on_rtcp(webrtc::PeerTransport&, std::span<uint8_t>, size_t) override {}
  void on_transport_closed(webrtc::PeerTransport&, std::string_view) override {}
};

struct NoReports final : SubscriberConnection::Listener {
  void on_receiver_report(double, std::optional<Duration>, TimePoint) override {}
  void on_track_paused(const std::string&, bool) override {}
};

using Track = SubscriberOfferAnswerer::OfferableTrack;
const Track kCamera{"TR_cam", true, "VP8", 90000, 0};
const Track kMicrophone{"TR_mic", false, "opus", 48000, 2};

sdp::Negotiation negotiated(const std::string& text) {
  auto offer = sdp::SessionDescription::parse(text);
  EXPECT_TRUE(offer.ok()) << offer.error();
  auto n = sdp::negotiate(*offer, SubscriberOfferAnswerer::policy());
  EXPECT_TRUE(n.ok()) << n.error();
  return *n;
}

// Chromium's receive-only offer (audio mid 0, video mid 1) gets the
// microphone in the audio section and the camera in the video section, with
// Chromium's own payload types: opus 111, VP8 96 with rtx 97.
TEST(SubscriberOfferMapping, ChromiumRecvOnlyOfferGetsOneTrackPerSection) {
  sdp::Negotiation n = negotiated(fixture("chromium-offer-recvonly.sdp"));
  const Track tracks[] = {kCamera, kMicrophone};
  auto assigned = SubscriberOfferAnswerer::assign(n, tracks, {});
  ASSERT_EQ(assigned.size(), 2u);
  EXPECT_EQ(n.media[assigned[0].first].mid, "0");
  EXPECT_EQ(assigned[0].second, 1u);  // the microphone
  EXPECT_EQ(n.media[assigned[1].first].mid, "1");
  EXPECT_EQ(assigned[1].second, 0u);  // the camera
  const auto* vp8 = SubscriberOfferAnswerer::codec_for(n.media[assigned[1].first], kCamera);
  ASSERT_NE(vp8, nullptr);
  EXPECT_EQ(vp8->pt, 96);
  EXPECT_EQ(vp8->rtx_pt, std::optional<uint8_t>(97));
  const auto* opus = SubscriberOfferAnswerer::codec_for(n.media[assigned[0].first], kMicrophone);
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->pt, 111);
  // Chromium's extension ids are kept: mid 4, audio level 1, abs-send-time 2, transport-cc 3.
  auto ext = SubscriberOfferAnswerer::extensions_of(n.media[assigned[0].first]);
  EXPECT_EQ(ext.mid_id, 4);
  EXPECT_EQ(ext.audio_level_id, 1);
  EXPECT_EQ(ext.abs_send_time_id, 2);
  EXPECT_EQ(ext.transport_cc_id, 3);
}

// GStreamer's webrtcbin (video0, then audio1 as a bundle-only section with
// port 0 and "OPUS/48000" without channels) still gets both tracks.
TEST(SubscriberOfferMapping, GStreamerOfferWithBundleOnlyAudioGetsBothTracks) {
  sdp::Negotiation n = negotiated(fixture("gstreamer-whep-offer-recvonly.sdp"));
  const Track tracks[] = {kMicrophone, kCamera};
  auto assigned = SubscriberOfferAnswerer::assign(n, tracks, {});
  ASSERT_EQ(assigned.size(), 2u);
  EXPECT_EQ(n.media[assigned[0].first].mid, "video0");
  EXPECT_EQ(assigned[0].second, 1u);
  EXPECT_EQ(n.media[assigned[1].first].mid, "audio1");
  EXPECT_EQ(assigned[1].second, 0u);
  EXPECT_EQ(SubscriberOfferAnswerer::codec_for(n.media[assigned[1].first], kMicrophone)->pt, 111);
  EXPECT_EQ(SubscriberOfferAnswerer::extensions_of(n.media[assigned[0].first]).mid_id, 0);  // none offered
}

TEST(SubscriberOfferMapping, SectionsOfAnotherCodecOrKindOrTakenGetNothing) {
  sdp::Negotiation n = negotiated(fixture("gstreamer-whep-offer-recvonly.sdp"));
  const Track h264[] = {{"TR_h264", true, "H264", 90000, 0}};
  EXPECT_TRUE(SubscriberOfferAnswerer::assign(n, h264, {}).empty());  // only VP8 is offered
  const Track two_cameras[] = {kCamera, {"TR_screen", true, "VP8", 90000, 0}};
  auto assigned = SubscriberOfferAnswerer::assign(n, two_cameras, {});
  ASSERT_EQ(assigned.size(), 1u);  // one video section: one camera
  EXPECT_EQ(assigned[0].second, 0u);
  const std::string taken[] = {"video0"};
  EXPECT_TRUE(SubscriberOfferAnswerer::assign(n, two_cameras, taken).empty());
}

class SubscriberOfferAnswererTest : public ::testing::Test {
 protected:
  SubscriberOfferAnswererTest() { port.start(); }
  ~SubscriberOfferAnswererTest() override {
    answerer.reset();
    connection.reset();
    publications.clear();
    port.close();
  }

  Publication& publish(bool video, uint32_t ssrc) {
    PublicationParams params;
    params.video = video;
    params.codec_name = video ? "VP8" : "opus";
    params.clock_rate = video ? 90000 : 48000;
    params.channels = video ? 0 : 2;
    params.payload_type = video ? 120 : 109;  // the publisher's own numbers
    if (video) params.rtx_payload_type = 121;
    params.ssrc = ssrc;
    TrackInfo info;
    info.sid = "TR_" + std::to_string(ssrc);
    info.publisher = "alice";
    info.kind = video ? "video" : "audio";
    publications.push_back(
        std::make_unique<Publication>(info, params, publisher_transport, 1, milliseconds(500)));
    return *publications.back();
  }

  sdp::SessionDescription parsed(const event::SubscriberAnswer& answer) {
    auto sd = sdp::SessionDescription::parse(answer.sdp);
    EXPECT_TRUE(sd.ok()) << sd.error();
    return *sd;
  }

  boost::asio::io_context io;
  dtls::DtlsCertificate certificate;
  webrtc::MediaPort port{io, *net::SocketAddress::parse("127.0.0.1:0"), ""};
  ParticipantContext context{port, certificate, {}, milliseconds(500), 0, nullptr, nullptr, nullptr};
  NoTransportEvents transport_events;
  webrtc::PeerTransport publisher_transport{transport_events, port, certificate, {}, Clock::now()};
  std::vector<std::unique_ptr<Publication>> publications;
  NoReports reports;
  std::unique_ptr<SubscriberConnection> connection =
      std::make_unique<SubscriberConnection>(context, transport_events, reports, 7, Clock::now());
  std::unique_ptr<SubscriberOfferAnswerer> answerer = std::make_unique<SubscriberOfferAnswerer>(*connection);
};

// The answer mirrors the offer's sections: sendonly, one codec each under the
// offerer's payload type, our SSRCs, and the tracks it carries by mid.
TEST_F(SubscriberOfferAnswererTest, AnswersChromiumRecvOnlyOfferWithSendOnlySections) {
  answerer->offer_track(publish(true, 1000), Clock::now());
  answerer->offer_track(publish(false, 2000), Clock::now());
  auto result = answerer->answer(fixture("chromium-offer-recvonly.sdp"), Clock::now());
  ASSERT_TRUE(std::holds_alternative<event::SubscriberAnswer>(result))
      << std::get<event::Error>(result).message;
  const auto& answer = std::get<event::SubscriberAnswer>(result);
  ASSERT_EQ(answer.tracks.size(), 2u);
  EXPECT_EQ(answer.tracks[0].sid, "TR_2000");
  EXPECT_EQ(answer.tracks[0].mid, "0");
  EXPECT_EQ(answer.tracks[1].sid, "TR_1000");
  EXPECT_EQ(answer.tracks[1].mid, "1");
  auto sd = parsed(answer);
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_EQ(sd.media[0].direction, sdp::Direction::sendonly);
  EXPECT_EQ(sd.media[0].formats, std::vector<std::string>{"111"});
  EXPECT_EQ(sd.media[1].direction, sdp::Direction::sendonly);
  EXPECT_EQ(sd.media[1].formats, (std::vector<std::string>{"96", "97"}));
  EXPECT_EQ(sd.media[1].setup, sdp::Setup::passive);
  ASSERT_FALSE(sd.media[1].ssrcs.empty());
  const Subscription* video = connection->find_subscription_of("TR_1000");
  ASSERT_NE(video, nullptr);
  EXPECT_TRUE(video->active());
  EXPECT_EQ(video->params().payload_type, 96);
  EXPECT_EQ(video->params().rtx_payload_type, std::optional<uint8_t>(97));
  EXPECT_EQ(sd.media[1].ssrcs[0].ssrc, video->ssrc());
}

TEST_F(SubscriberOfferAnswererTest, AnswersGStreamerOffer) {
  answerer->offer_track(publish(true, 1000), Clock::now());
  answerer->offer_track(publish(false, 2000), Clock::now());
  auto result = answerer->answer(fixture("gstreamer-whep-offer-recvonly.sdp"), Clock::now());
  ASSERT_TRUE(std::holds_alternative<event::SubscriberAnswer>(result))
      << std::get<event::Error>(result).message;
  auto sd = parsed(std::get<event::SubscriberAnswer>(result));
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_EQ(sd.media[0].mid, "video0");
  EXPECT_EQ(sd.media[0].direction, sdp::Direction::sendonly);
  EXPECT_EQ(sd.media[1].mid, "audio1");
  EXPECT_EQ(sd.media[1].direction, sdp::Direction::sendonly);
  EXPECT_EQ(connection->find_subscription_of("TR_2000")->params().payload_type, 111);
}

// A section nothing can fill is answered inactive; an offer nothing can fill is refused.
TEST_F(SubscriberOfferAnswererTest, SectionsWithoutATrackAreInactiveAndNoTrackAtAllIsRefused) {
  answerer->offer_track(publish(false, 2000), Clock::now());
  auto result = answerer->answer(fixture("chromium-offer-recvonly.sdp"), Clock::now());
  ASSERT_TRUE(std::holds_alternative<event::SubscriberAnswer>(result));
  auto sd = parsed(std::get<event::SubscriberAnswer>(result));
  EXPECT_EQ(sd.media[0].direction, sdp::Direction::sendonly);
  EXPECT_EQ(sd.media[1].direction, sdp::Direction::inactive);

  SubscriberConnection other(context, transport_events, reports, 8, Clock::now());
  SubscriberOfferAnswerer empty(other);
  auto refused = empty.answer(fixture("chromium-offer-recvonly.sdp"), Clock::now());
  ASSERT_TRUE(std::holds_alternative<event::Error>(refused));
  EXPECT_EQ(std::get<event::Error>(refused).code, "no_matching_tracks");
}

TEST_F(SubscriberOfferAnswererTest, TruncatedAndGarbageOffersAreBadSdp) {
  answerer->offer_track(publish(true, 1000), Clock::now());
  const std::string offer = fixture("gstreamer-whep-offer-recvonly.sdp");
  // Cut before the first fingerprint: no offer that far is usable.
  for (size_t length : {size_t(0), size_t(4), offer.size() / 3, offer.find("a=fingerprint")}) {
    auto result = answerer->answer(offer.substr(0, length), Clock::now());
    ASSERT_TRUE(std::holds_alternative<event::Error>(result)) << "length " << length;
    EXPECT_EQ(std::get<event::Error>(result).code, "bad_sdp");
  }
  for (const std::string& garbage : {std::string("\x01\x02garbage\r\n"), std::string(5000, 'm'),
                                     std::string("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n")}) {
    auto result = answerer->answer(garbage, Clock::now());
    ASSERT_TRUE(std::holds_alternative<event::Error>(result));
    EXPECT_EQ(std::get<event::Error>(result).code, "bad_sdp");
  }
  EXPECT_EQ(connection->find_subscription_of("TR_1000"), nullptr);  // nothing was bound
}

// An ICE restart offers the same sections with new credentials: each keeps
// its track and SSRC.
TEST_F(SubscriberOfferAnswererTest, OfferAgainWithNewCredentialsKeepsTheTracks) {
  answerer->offer_track(publish(true, 1000), Clock::now());
  std::string offer = fixture("gstreamer-whep-offer-recvonly.sdp");
  ASSERT_TRUE(std::holds_alternative<event::SubscriberAnswer>(answerer->answer(offer, Clock::now())));
  const uint32_t ssrc = connection->find_subscription_of("TR_1000")->ssrc();
  for (auto [from, to] :
       {std::pair<std::string, std::string>{"KvzjHjegsWKG4Uac5PXOI5IQ+wAXfMyx", "NewUfrag1234"},
        {"isb/if2l4gdh/C79CBkregHfQ2w0WY7l", "NewPasswordNewPassword12"}}) {
    for (size_t at = offer.find(from); at != std::string::npos; at = offer.find(from))
      offer.replace(at, from.size(), to);
  }
  auto again = answerer->answer(offer, Clock::now());
  ASSERT_TRUE(std::holds_alternative<event::SubscriberAnswer>(again))
      << std::get<event::Error>(again).message;
  EXPECT_EQ(connection->find_subscription_of("TR_1000")->ssrc(), ssrc);
  EXPECT_EQ(parsed(std::get<event::SubscriberAnswer>(again)).media[0].direction, sdp::Direction::sendonly);
}

// A camera turned off and on again is a new publication: it takes the
// answered video section that no longer carries a track.
TEST_F(SubscriberOfferAnswererTest, LaterPublicationTakesTheFreeAnsweredSection) {
  Publication& first = publish(true, 1000);
  answerer->offer_track(first, Clock::now());
  ASSERT_TRUE(std::holds_alternative<event::SubscriberAnswer>(
      answerer->answer(fixture("gstreamer-whep-offer-recvonly.sdp"), Clock::now())));
  answerer->withdraw_track(first);
  ASSERT_TRUE(connection->unsubscribe(first));
  answerer->offer_track(publish(true, 3000), Clock::now());
  const Subscription* again = connection->find_subscription_of("TR_3000");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->params().mid, "video0");
  EXPECT_EQ(again->params().payload_type, 96);
  EXPECT_TRUE(again->active());
}

}  // namespace
}  // namespace ct::sfu::testing
