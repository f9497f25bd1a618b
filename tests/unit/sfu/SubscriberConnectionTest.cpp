#include <gtest/gtest.h>

#include <set>

#include "RoomTestSupport.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "sfu/Publication.hpp"
#include "sfu/SenderReportGenerator.hpp"
#include "sfu/SubscriberConnection.hpp"

namespace ct::sfu::testing {
namespace {

struct NoTransportEvents final : webrtc::PeerTransport::Listener {
  void on_rtp(webrtc::PeerTransport&, std::span<uint8_t>, size_t, TimePoint) override {}
  void on_rtcp(webrtc::PeerTransport&, std::span<uint8_t>, size_t) override {}
  void on_transport_closed(webrtc::PeerTransport&, std::string_view reason) override {
    closed_reason = std::string(reason);
  }
  std::string closed_reason;
};

struct Reports final : SubscriberConnection::Listener {
  void on_receiver_report(double loss, std::optional<Duration> rtt, TimePoint) override {
    reports.push_back({loss, rtt});
  }
  void on_track_paused(const std::string& sid, bool paused) override { pauses.push_back({sid, paused}); }
  std::vector<std::pair<double, std::optional<Duration>>> reports;
  std::vector<std::pair<std::string, bool>> pauses;
};

class SubscriberConnectionTest : public ::testing::Test {
 protected:
  SubscriberConnectionTest() {
    port.start();
    context.transport_options.connect_timeout = seconds(2);
  }
  ~SubscriberConnectionTest() override {
    connection.reset();
    publications.clear();
    port.close();
  }

  // A publication of another participant (its transport never connects: the
  // keyframe requests it would send go nowhere).
  Publication& publish(bool video, uint32_t ssrc, std::string publisher = "alice", std::string source = "") {
    PublicationParams params;
    params.video = video;
    params.codec_name = video ? "VP8" : "opus";
    params.clock_rate = video ? 90000 : 48000;
    params.channels = video ? 0 : 2;
    params.payload_type = video ? 120 : 109;  // the publisher's own numbers
    if (video) params.rtx_payload_type = 121;
    params.nack = video;
    params.ssrc = ssrc;
    TrackInfo info;
    info.sid = "TR_" + std::to_string(ssrc);
    info.publisher = std::move(publisher);
    info.source = std::move(source);
    info.kind = video ? "video" : "audio";
    publications.push_back(
        std::make_unique<Publication>(info, params, publisher_transport, 1, milliseconds(500)));
    return *publications.back();
  }

  std::string answer(const event::SubscriberOffer& offer) {
    return subscriber_answer_sdp(browser.peer, offer.sdp);
  }

  boost::asio::io_context io;
  dtls::DtlsCertificate certificate;
  webrtc::MediaPort port{io, *net::SocketAddress::parse("127.0.0.1:0"), ""};
  ParticipantContext context{port, certificate, {}, milliseconds(500), 0, nullptr, nullptr, nullptr};
  NoTransportEvents transport_events;
  webrtc::PeerTransport publisher_transport{transport_events, port, certificate, {}, Clock::now()};
  std::vector<std::unique_ptr<Publication>> publications;
  Reports reports;
  std::unique_ptr<SubscriberConnection> connection =
      std::make_unique<SubscriberConnection>(context, transport_events, reports, 3, Clock::now());
  Endpoint browser{io, port.candidate_address()};
};

TEST_F(SubscriberConnectionTest, AnOfferCarriesTheDataSectionThenOneSendingSectionPerTrack) {
  auto& video = publish(true, 0x1111);
  connection->subscribe(video);
  connection->subscribe(publish(false, 0x2222));
  auto offer = connection->make_offer(Clock::now());
  EXPECT_TRUE(connection->offer_pending());
  ASSERT_TRUE(connection->pending_offer());
  EXPECT_EQ(connection->pending_offer()->sdp, offer.sdp);

  auto d = sdp::SessionDescription::parse(offer.sdp);
  ASSERT_TRUE(d.ok()) << d.error();
  ASSERT_EQ(d->media.size(), 3u);
  EXPECT_TRUE(d->media[0].is_sctp());
  const auto& v = d->media[1];
  EXPECT_EQ(v.kind(), sdp::MediaKind::video);
  EXPECT_EQ(v.effective_direction(), sdp::Direction::sendonly);
  ASSERT_NE(v.find_codec(subscriber_pt::kVp8), nullptr);  // the server's payload types, not the publisher's
  EXPECT_EQ(v.find_codec(subscriber_pt::kVp8)->name, "VP8");
  EXPECT_NE(v.find_codec(subscriber_pt::kVp8Rtx), nullptr);
  ASSERT_EQ(v.msids.size(), 1u);
  EXPECT_EQ(v.msids[0], "alice TR_4369");
  const Subscription* s = connection->sections()[0].subscription.get();
  ASSERT_TRUE(s);
  EXPECT_EQ(offered_ssrcs(offer.sdp, v.mid), std::make_pair(s->ssrc(), s->rtx_ssrc()));
  EXPECT_EQ(d->media[2].find_codec(subscriber_pt::kOpus)->name, "opus");

  ASSERT_EQ(offer.tracks.size(), 2u);
  EXPECT_EQ(offer.tracks[0].mid, v.mid);  // the track as the subscriber connection carries it
  EXPECT_EQ(offer.tracks[0].sid, "TR_4369");
  EXPECT_EQ(&s->publication(), &video);
}

TEST_F(SubscriberConnectionTest, TheAnswerActivatesTheSectionsItReceives) {
  EXPECT_EQ(connection->apply_answer("v=0\r\n", Clock::now())->code, "no_offer_pending");
  connection->subscribe(publish(true, 0x1111));
  auto offer = connection->make_offer(Clock::now());
  EXPECT_EQ(connection->apply_answer("v=0\r\nbroken", Clock::now())->code, "bad_sdp");
  std::string passive = answer(offer);
  for (size_t at; (at = passive.find("a=setup:active")) != std::string::npos;)
    passive.replace(at, 14, "a=setup:passive");
  EXPECT_EQ(connection->apply_answer(passive, Clock::now())->code, "bad_sdp");
  EXPECT_FALSE(connection->sections()[0].subscription->active());
  EXPECT_TRUE(connection->offer_pending());  // still waiting for a usable answer

  EXPECT_FALSE(connection->apply_answer(answer(offer), Clock::now()).has_value());
  EXPECT_TRUE(connection->sections()[0].subscription->active());
  EXPECT_FALSE(connection->offer_pending());
  EXPECT_FALSE(connection->pending_offer());
  EXPECT_TRUE(connection->quality_sample().receiving);
}

TEST_F(SubscriberConnectionTest, AStoppedSectionKeepsItsPlaceWithPortZero) {
  auto& video = publish(true, 0x1111);
  connection->subscribe(video);
  connection->subscribe(publish(false, 0x2222));
  auto offer = connection->make_offer(Clock::now());
  ASSERT_FALSE(connection->apply_answer(answer(offer), Clock::now()));
  EXPECT_TRUE(connection->unsubscribe(video));
  EXPECT_FALSE(connection->unsubscribe(video));
  EXPECT_TRUE(video.subscriptions().empty());
  auto next = connection->make_offer(Clock::now());
  auto d = sdp::SessionDescription::parse(next.sdp);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->media.size(), 3u);
  EXPECT_EQ(d->media[1].port, 0);
  EXPECT_NE(d->media[2].port, 0);
  ASSERT_EQ(next.tracks.size(), 1u);
  EXPECT_EQ(next.tracks[0].kind, "audio");
}

size_t media_sections(const std::string& sdp_text) {
  auto d = sdp::SessionDescription::parse(sdp_text);
  return d.ok() ? d->media.size() : 0;
}

TEST_F(SubscriberConnectionTest, TwentyScreenShareCyclesLeaveAtMostTwoExtraSections) {
  connection->subscribe(publish(true, 0x1111));   // camera
  connection->subscribe(publish(false, 0x2222));  // microphone
  ASSERT_FALSE(connection->apply_answer(answer(connection->make_offer(Clock::now())), Clock::now()));
  const size_t base = media_sections(connection->make_offer(Clock::now()).sdp);
  ASSERT_FALSE(connection->apply_answer(answer(*connection->pending_offer()), Clock::now()));

  std::set<std::string> mids;
  for (uint32_t cycle = 0; cycle < 20; ++cycle) {
    auto& screen = publish(true, 0x3000 + cycle);
    connection->subscribe(screen);
    auto shared = connection->make_offer(Clock::now());
    ASSERT_EQ(shared.tracks.size(), 3u);
    const TrackInfo& track = shared.tracks.back();
    EXPECT_EQ(track.sid, screen.sid());
    EXPECT_TRUE(mids.insert(track.mid).second) << "mid " << track.mid << " reused";  // RFC 8843 §7.2.2
    ASSERT_FALSE(connection->apply_answer(answer(shared), Clock::now()));
    EXPECT_TRUE(connection->find_subscription(offered_ssrcs(shared.sdp, track.mid).first)->active());
    EXPECT_LE(media_sections(shared.sdp), base + 2) << "cycle " << cycle;

    connection->unsubscribe(screen);
    auto stopped = connection->make_offer(Clock::now());
    EXPECT_EQ(stopped.tracks.size(), 2u);
    ASSERT_FALSE(connection->apply_answer(answer(stopped), Clock::now()));
    EXPECT_LE(media_sections(stopped.sdp), base + 2) << "cycle " << cycle;
  }
  EXPECT_LE(connection->sections().size(), 2u + 2u);
}

TEST_F(SubscriberConnectionTest, AStoppedSectionWaitsForTheAnswerThatStoppedIt) {
  auto& first = publish(true, 0x1111);
  connection->subscribe(first);
  ASSERT_FALSE(connection->apply_answer(answer(connection->make_offer(Clock::now())), Clock::now()));
  const std::string first_mid = connection->sections()[0].mid;
  connection->unsubscribe(first);
  auto stopping = connection->make_offer(Clock::now());

  // The offer that stops it is not answered yet: a new track takes a new section.
  connection->subscribe(publish(true, 0x2222));
  ASSERT_EQ(connection->sections().size(), 2u);
  EXPECT_EQ(connection->sections()[0].mid, first_mid);
  EXPECT_FALSE(connection->sections()[0].subscription);

  // Once it is, the stopped section carries the next track, under a new mid.
  ASSERT_FALSE(connection->apply_answer(answer(stopping), Clock::now()));
  auto& third = publish(true, 0x3333);
  connection->subscribe(third);
  ASSERT_EQ(connection->sections().size(), 2u);
  EXPECT_NE(connection->sections()[0].mid, first_mid);
  ASSERT_TRUE(connection->sections()[0].subscription);
  EXPECT_EQ(&connection->sections()[0].subscription->publication(), &third);
  auto offer = connection->make_offer(Clock::now());
  auto d = sdp::SessionDescription::parse(offer.sdp);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->media.size(), 3u);
  EXPECT_EQ(d->media[1].mid, connection->sections()[0].mid);  // the same place in the description
  EXPECT_NE(d->media[1].port, 0);
  EXPECT_EQ(offer.sdp.find("a=mid:" + first_mid + "\r\n"), std::string::npos);
}

TEST_F(SubscriberConnectionTest, OnlyASectionOfTheSameKindIsReused) {
  auto& audio = publish(false, 0x1111);
  connection->subscribe(audio);
  ASSERT_FALSE(connection->apply_answer(answer(connection->make_offer(Clock::now())), Clock::now()));
  connection->unsubscribe(audio);
  ASSERT_FALSE(connection->apply_answer(answer(connection->make_offer(Clock::now())), Clock::now()));
  connection->subscribe(publish(true, 0x2222));
  ASSERT_EQ(connection->sections().size(), 2u);
  EXPECT_FALSE(connection->sections()[0].subscription);
  connection->subscribe(publish(false, 0x3333));
  EXPECT_EQ(connection->sections().size(), 2u);
  EXPECT_TRUE(connection->sections()[0].subscription);
}

TEST_F(SubscriberConnectionTest, ASectionThatNeverWentOutIsFreeAtOnce) {
  auto& gone = publish(true, 0x1111);
  connection->subscribe(gone);
  connection->unsubscribe(gone);
  connection->subscribe(publish(true, 0x2222));
  EXPECT_EQ(connection->sections().size(), 1u);
  EXPECT_TRUE(connection->sections()[0].subscription);
}

TEST_F(SubscriberConnectionTest, IceRestartNeedsAnAnsweredConnectionAndSupersedesThePendingOffer) {
  EXPECT_FALSE(connection->restart_ice());
  auto offer = connection->make_offer(Clock::now());
  ASSERT_FALSE(connection->apply_answer(answer(offer), Clock::now()));
  std::string ufrag = connection->transport().local_ufrag();
  connection->subscribe(publish(false, 0x2222));
  connection->make_offer(Clock::now());
  ASSERT_TRUE(connection->restart_ice());
  EXPECT_FALSE(connection->offer_pending());
  EXPECT_TRUE(connection->renegotiation_needed());
  auto restarted = connection->make_offer(Clock::now());
  EXPECT_EQ(restarted.sdp.find("a=ice-ufrag:" + ufrag), std::string::npos);
  EXPECT_NE(restarted.sdp.find("a=ice-ufrag:" + connection->transport().local_ufrag()), std::string::npos);
}

TEST_F(SubscriberConnectionTest, ReceiverReportsOnOurStreamsGiveLossAndTheRoundTrip) {
  connection->subscribe(publish(true, 0x1111));
  connection->make_offer(Clock::now());
  const Subscription& s = *connection->sections()[0].subscription;
  std::array<rtp::RtcpReportBlock, 3> blocks{};
  blocks[0].ssrc = s.ssrc();
  blocks[0].fraction_lost = 64;
  // RFC 3550 §6.4.1: our SR 250 ms ago, held 50 ms by the browser: 200 ms.
  blocks[0].last_sr =
      uint32_t(SenderReportGenerator::to_ntp(std::chrono::system_clock::now() - milliseconds(250)) >> 16);
  blocks[0].delay_since_last_sr = 65536 / 20;
  blocks[1].ssrc = s.rtx_ssrc();  // no SR echoed yet: loss only
  blocks[2].ssrc = 0x5555;        // not ours: ignored
  std::array<uint8_t, 128> rr;
  size_t n = rtp::RtcpReceiverReport::build(rr, 9, blocks);
  auto now = Clock::now();
  connection->on_rtcp(std::span(rr.data(), n), now);
  ASSERT_EQ(reports.reports.size(), 2u);
  EXPECT_DOUBLE_EQ(reports.reports[0].first, 0.25);
  ASSERT_TRUE(reports.reports[0].second);
  EXPECT_NEAR(double(std::chrono::duration_cast<milliseconds>(*reports.reports[0].second).count()), 200, 20);
  EXPECT_FALSE(reports.reports[1].second);
  EXPECT_EQ(connection->quality_sample().last_report, now);

  // A stale LSR (a clock step) gives no round trip.
  blocks[0].last_sr -= 20u * 65536u;
  n = rtp::RtcpReceiverReport::build(rr, 9, std::span(blocks.data(), 1));
  connection->on_rtcp(std::span(rr.data(), n), now);
  ASSERT_EQ(reports.reports.size(), 3u);
  EXPECT_FALSE(reports.reports[2].second);
}

TEST_F(SubscriberConnectionTest, NacksPlisAndFirsReachTheirSubscription) {
  auto& video = publish(true, 0x1111);
  connection->subscribe(video);
  ASSERT_FALSE(connection->apply_answer(answer(connection->make_offer(Clock::now())), Clock::now()));
  const Subscription& s = *connection->sections()[0].subscription;
  auto now = Clock::now();
  auto media = video_packet(0x1111, 40, 1000, 1, "1");
  video.on_rtp(*rtp::RtpPacket::parse(media), now);  // numbers the stream (the send fails: not connected)
  std::array<uint8_t, 64> buffer;
  // A NACK is answered, refused or found missing by the subscription it names.
  const uint16_t lost[] = {7};
  auto answered = [&] {
    return s.stats().retransmitted + s.stats().retransmissions_limited + s.stats().retransmissions_missing;
  };
  connection->on_rtcp(std::span(buffer.data(), rtp::RtcpNack::build(buffer, 9, s.ssrc(), lost)), now);
  EXPECT_EQ(answered(), 1u);
  connection->on_rtcp(std::span(buffer.data(), rtp::RtcpNack::build(buffer, 9, 0x5555, lost)), now);
  EXPECT_EQ(answered(), 1u);
  // A PLI goes on; a second at once is over this subscriber's own limit.
  connection->on_rtcp(std::span(buffer.data(), rtp::RtcpPli::build(buffer, 9, s.ssrc())), now);
  connection->on_rtcp(std::span(buffer.data(), rtp::RtcpPli::build(buffer, 9, s.ssrc())), now);
  EXPECT_EQ(s.stats().keyframe_requests_limited, 1u);
  // A FIR repeating its sequence number is the same request; a new one is limited too.
  const rtp::RtcpFirEntry first[] = {{s.ssrc(), 1}};
  const rtp::RtcpFirEntry again[] = {{s.ssrc(), 1}};
  const rtp::RtcpFirEntry next[] = {{s.ssrc(), 2}};
  connection->on_rtcp(std::span(buffer.data(), rtp::RtcpFir::build(buffer, 9, first)), now);
  EXPECT_EQ(s.stats().keyframe_requests_limited, 2u);
  connection->on_rtcp(std::span(buffer.data(), rtp::RtcpFir::build(buffer, 9, again)), now);
  EXPECT_EQ(s.stats().keyframe_requests_limited, 2u);
  connection->on_rtcp(std::span(buffer.data(), rtp::RtcpFir::build(buffer, 9, next)), now);
  EXPECT_EQ(s.stats().keyframe_requests_limited, 3u);
}

TEST_F(SubscriberConnectionTest, TheConnectDeadlineRunsFromTheFirstOffer) {
  auto now = Clock::now();
  connection->tick_transport(now + seconds(60));  // nothing offered yet: no deadline
  EXPECT_NE(connection->transport().state(), webrtc::PeerTransport::State::Closed);
  connection->make_offer(now);
  connection->tick_transport(now + seconds(1));
  EXPECT_NE(connection->transport().state(), webrtc::PeerTransport::State::Closed);
  connection->tick_transport(now + seconds(3));
  EXPECT_EQ(connection->transport().state(), webrtc::PeerTransport::State::Closed);
  EXPECT_FALSE(transport_events.closed_reason.empty());
  EXPECT_TRUE(connection->quality_sample().closed);
}

// Bandwidth allocation through the connection: what each publication is
// measured at, its source and its publisher's speaking decide who is paused.
class SubscriberConnectionBandwidthTest : public SubscriberConnectionTest {
 protected:
  // Subscribes to every publication and answers, so the subscriptions are live.
  void subscribe_all() {
    for (auto& p : publications) connection->subscribe(*p);
    ASSERT_FALSE(connection->apply_answer(answer(connection->make_offer(now)), now).has_value());
  }
  // One second of 30 packets of 300 bytes (about 75 kbit/s) on each publication.
  void send_second() {
    for (int i = 0; i < 30; ++i) {
      for (auto& p : publications) {
        std::vector<uint8_t> payload(300, 0);
        payload[0] = 0x10;  // VP8: S=1, PID=0; a delta frame
        payload[1] = 0x31;
        std::vector<uint8_t> out(1500);
        out.resize(rtp::RtpPacketBuilder()
                       .payload_type(p->params().payload_type)
                       .sequence_number(seq)
                       .timestamp(3000u * seq)
                       .ssrc(p->params().ssrc)
                       .payload(payload)
                       .build(out));
        p->on_rtp(*rtp::RtpPacket::parse(out), now);
      }
      ++seq;
      now += milliseconds(34);
    }
  }
  bool paused(const Publication& p) { return connection->find_subscription_of(p.sid())->paused(); }

  TimePoint now = Clock::now();
  uint16_t seq = 1;
};

TEST_F(SubscriberConnectionBandwidthTest, AScreenShareComesBeforeACamera) {
  auto& camera = publish(true, 0x1111, "bob", "camera");
  auto& screen = publish(true, 0x2222, "carol", "screen_share");
  subscribe_all();
  send_second();
  // Room for one of the two.
  connection->allocate_bandwidth(120'000, now);
  EXPECT_TRUE(paused(camera));
  EXPECT_FALSE(paused(screen));
  ASSERT_EQ(reports.pauses.size(), 1u);
  EXPECT_EQ(reports.pauses[0], std::make_pair(camera.sid(), true));
  // Speaking does not put a camera before a screen share.
  connection->set_active_speakers({"bob"});
  send_second();
  connection->allocate_bandwidth(120'000, now);
  EXPECT_TRUE(paused(camera));
  EXPECT_FALSE(paused(screen));
}

TEST_F(SubscriberConnectionBandwidthTest, TheActiveSpeakersCameraComesFirst) {
  auto& bob = publish(true, 0x1111, "bob", "camera");
  auto& dave = publish(true, 0x2222, "dave", "camera");
  subscribe_all();
  connection->set_active_speakers({"dave"});
  send_second();
  connection->allocate_bandwidth(120'000, now);
  EXPECT_TRUE(paused(bob));
  EXPECT_FALSE(paused(dave));
}

TEST_F(SubscriberConnectionBandwidthTest, ABudgetIsSharedOnTheTickAndLiftingItResumesEverything) {
  auto& bob = publish(true, 0x1111, "bob", "camera");
  auto& dave = publish(true, 0x2222, "dave", "camera");
  subscribe_all();
  send_second();
  connection->set_bandwidth_budget(10'000, now);
  connection->on_tick(now);
  EXPECT_TRUE(paused(bob));
  EXPECT_TRUE(paused(dave));
  EXPECT_EQ(reports.pauses.size(), 2u);
  connection->set_bandwidth_budget(std::nullopt, now);
  EXPECT_FALSE(paused(bob));
  EXPECT_FALSE(paused(dave));
  ASSERT_EQ(reports.pauses.size(), 4u);
  EXPECT_FALSE(reports.pauses[2].second);
  EXPECT_FALSE(reports.pauses[3].second);
  EXPECT_EQ(connection->allocation_stats().paused, 2u);
}

}  // namespace
}  // namespace ct::sfu::testing
