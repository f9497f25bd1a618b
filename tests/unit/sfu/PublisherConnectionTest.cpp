#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "RoomTestSupport.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpTransportCc.hpp"
#include "rtp/RtcpXr.hpp"
#include "sfu/ActiveSpeakerDetector.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/PublicationLayer.hpp"
#include "sfu/PublisherConnection.hpp"
#include "sfu/SenderReportGenerator.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kAudioSsrc = 0x0a0a0a0a, kVideoSsrc = 0x0b0b0b0b, kRtxSsrc = 0x0c0c0c0c;

// Sends the transport's callbacks to the connection, as the Participant does.
struct Router final : webrtc::PeerTransport::Listener {
  void on_rtp(webrtc::PeerTransport&, std::span<uint8_t> packet, size_t, TimePoint arrival) override {
    connection->on_rtp(packet, Clock::now(), arrival);
  }
  void on_rtcp(webrtc::PeerTransport&, std::span<uint8_t> compound, size_t) override {
    connection->on_rtcp(compound, Clock::now());
  }
  void on_transport_closed(webrtc::PeerTransport&, std::string_view) override { closed = true; }
  PublisherConnection* connection = nullptr;
  bool closed = false;
};

struct RoundTrips final : PublisherConnection::Listener {
  void on_publisher_round_trip(Duration rtt) override { measured.push_back(rtt); }
  std::vector<Duration> measured;
};

class PublisherConnectionTest : public ::testing::Test {
 protected:
  PublisherConnectionTest() {
    port.start();
    router.connection = &connection;
  }
  ~PublisherConnectionTest() override { port.close(); }

  PublisherConnection::OfferResult offer(const std::vector<Track>& tracks,
                                         const std::vector<TrackMeta>& meta = {}) {
    return connection.negotiate(publisher_offer_sdp(browser.peer, tracks), meta, Clock::now());
  }

  // Brings the transport up with the browser's side on a loopback socket.
  bool connect(const std::string& answer_sdp) {
    take_remote(browser.peer, answer_sdp);
    browser.peer.send_check();
    return run_until([&] { return browser.peer.connected(); });
  }
  bool run_until(const std::function<bool()>& done, Duration timeout = seconds(5)) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
      io.restart();
      io.run_for(milliseconds(2));
      auto now = Clock::now();
      connection.tick_transport(now);
      connection.on_tick(now);
      browser.peer.tick(now);
      if (done()) return true;
      if (now > deadline) return false;
    }
  }

  boost::asio::io_context io;
  dtls::DtlsCertificate certificate;
  webrtc::MediaPort port{io, *net::SocketAddress::parse("127.0.0.1:0"), ""};
  ActiveSpeakerDetector speakers;
  ParticipantContext context{port, certificate, {}, milliseconds(500), 0, &speakers, nullptr, nullptr};
  Router router;
  RoundTrips round_trips;
  PublisherConnection connection{context, router, round_trips, "alice", 7};
  Endpoint browser{io, port.candidate_address()};
};

Publication* by_kind(const std::vector<Publication*>& publications, bool video) {
  for (auto* p : publications)
    if (p->video() == video) return p;
  return nullptr;
}

TEST_F(PublisherConnectionTest, SendingSectionsBecomePublicationsAndTheAnswerOnlyReceives) {
  EXPECT_EQ(connection.transport(), nullptr);
  TrackMeta screen;
  screen.mid = "1";
  screen.source = "screen_share";
  screen.name = "slides";
  auto result = offer({Track{"0", false, kAudioSsrc}, Track{"1", true, kVideoSsrc, kRtxSsrc}}, {screen});
  ASSERT_TRUE(result.error_code.empty()) << result.error_message;
  ASSERT_EQ(result.added.size(), 2u);
  ASSERT_NE(connection.transport(), nullptr);

  const Publication* audio = by_kind(result.added, false);
  const Publication* video = by_kind(result.added, true);
  ASSERT_TRUE(audio && video);
  EXPECT_EQ(audio->info().publisher, "alice");
  EXPECT_EQ(audio->info().kind, "audio");
  EXPECT_EQ(audio->info().source, "microphone");
  EXPECT_EQ(audio->info().codec, "opus");
  EXPECT_EQ(audio->params().ssrc, kAudioSsrc);
  EXPECT_EQ(video->info().source, "screen_share");
  EXPECT_EQ(video->info().name, "slides");
  EXPECT_EQ(video->info().codec, "VP8");
  EXPECT_EQ(video->info().mid, "1");
  EXPECT_EQ(video->params().ssrc, kVideoSsrc);
  EXPECT_EQ(video->params().rtx_ssrc, kRtxSsrc);
  EXPECT_TRUE(video->params().nack);
  EXPECT_EQ(connection.find_publication(video->sid()), video);

  auto answer = sdp::SessionDescription::parse(result.answer_sdp);
  ASSERT_TRUE(answer.ok()) << answer.error();
  ASSERT_EQ(answer->media.size(), 2u);
  for (const auto& m : answer->media) {
    EXPECT_EQ(m.effective_direction(), sdp::Direction::recvonly) << m.mid;
    EXPECT_EQ(m.codecs.front().name, m.mid == "0" ? "opus" : "VP8");  // one codec, the one forwarded
    EXPECT_TRUE(m.ssrcs.empty());
  }
}

TEST_F(PublisherConnectionTest, ASectionThatStopsSendingIsHandedBackForRemoval) {
  auto first = offer({Track{"0", false, kAudioSsrc}, Track{"1", true, kVideoSsrc, kRtxSsrc}});
  ASSERT_EQ(first.added.size(), 2u);
  auto tracks = std::vector<Track>{Track{"0", false, kAudioSsrc}, Track{"1", true, kVideoSsrc, kRtxSsrc}};
  tracks[1].sending = false;
  auto second = offer(tracks);
  ASSERT_TRUE(second.error_code.empty()) << second.error_message;
  EXPECT_TRUE(second.added.empty());
  ASSERT_EQ(second.removed.size(), 1u);
  EXPECT_TRUE(second.removed[0]->video());
  ASSERT_EQ(connection.publications().size(), 1u);
  EXPECT_FALSE(connection.publications()[0]->video());
}

TEST_F(PublisherConnectionTest, GarbageTooManyTracksAndAChangedCertificateAreRefused) {
  auto garbage = connection.negotiate("v=0\r\nnonsense", {}, Clock::now());
  EXPECT_EQ(garbage.error_code, "bad_sdp");
  EXPECT_EQ(connection.transport(), nullptr);

  std::vector<Track> many;
  for (size_t i = 0; i <= PublisherConnection::kMaxPublications; ++i)
    many.push_back(Track{std::to_string(i), false, uint32_t(100 + i)});
  auto refused = offer(many);
  EXPECT_EQ(refused.error_code, "too_many_tracks");
  EXPECT_TRUE(connection.publications().empty());

  ASSERT_TRUE(offer({Track{"0", false, kAudioSsrc}}).error_code.empty());
  // An ICE restart (new credentials) from another certificate is not the same browser.
  test::TestPeer stranger([](std::span<const uint8_t>) {});
  auto changed =
      connection.negotiate(publisher_offer_sdp(stranger, {Track{"0", false, kAudioSsrc}}), {}, Clock::now());
  EXPECT_EQ(changed.error_code, "bad_sdp");
  EXPECT_NE(changed.error_message.find("fingerprint"), std::string::npos);
}

TEST_F(PublisherConnectionTest, SourcesAreLearnedFromTheMidExtensionAndRtxIsUnwrapped) {
  Track video{"1", true, 0, 0};
  video.signal_ssrcs = false;
  ASSERT_EQ(offer({video}).added.size(), 1u);
  const Publication& publication = *connection.publications()[0];
  EXPECT_EQ(publication.params().ssrc, 0u);

  auto media = video_packet(kVideoSsrc, 10, 1000, 1, "1");
  connection.on_rtp(media, Clock::now());
  EXPECT_EQ(publication.params().ssrc, kVideoSsrc);
  EXPECT_EQ(publication.stats().packets_in, 1u);

  // A packet under another payload type on the media SSRC is not the answered codec.
  auto other = video_packet(kVideoSsrc, 11, 1000, 2, "1");
  other[1] = uint8_t((other[1] & 0x80) | 98);
  connection.on_rtp(other, Clock::now());
  EXPECT_EQ(publication.stats().packets_in, 1u);

  // RTX (RFC 4588): payload type 97 on its own SSRC, the original number first.
  std::vector<uint8_t> payload = {0, 11, 1, 2, 3, 4};
  const uint8_t mid[1] = {'1'};
  std::vector<uint8_t> rtx(200);
  rtx.resize(rtp::RtpPacketBuilder()
                 .payload_type(97)
                 .sequence_number(500)
                 .timestamp(1000)
                 .ssrc(kRtxSsrc)
                 .add_extension(kPubMid, mid)
                 .payload(payload)
                 .build(rtx));
  connection.on_rtp(rtx, Clock::now());
  EXPECT_EQ(publication.params().rtx_ssrc, kRtxSsrc);
  EXPECT_EQ(publication.stats().packets_in, 2u);

  // A source naming a MID that publishes nothing stays unknown.
  auto stray = video_packet(0x99999999, 1, 1, 3, "7");
  connection.on_rtp(stray, Clock::now());
  EXPECT_EQ(publication.stats().packets_in, 2u);
}

TEST_F(PublisherConnectionTest, ChromiumsSimulcastOfferIsOnePublicationOfThreeLayers) {
  // A real Chromium offer (tests/fixtures/sdp/README.md): a=rid q, h, f and
  // a=simulcast:send q;h;f, RID extensions 10 and 11, no a=ssrc lines.
  std::ifstream file(std::string(CT_FIXTURES_DIR) + "/sdp/chromium-offer-simulcast-datachannel.sdp");
  std::stringstream text;
  text << file.rdbuf();
  auto result = connection.negotiate(text.str(), {}, Clock::now());
  ASSERT_TRUE(result.error_code.empty()) << result.error_message;
  Publication* video = nullptr;
  for (auto* p : result.added)
    if (p->video()) video = p;
  ASSERT_NE(video, nullptr);
  EXPECT_TRUE(video->simulcast());
  EXPECT_EQ(video->params().rids, (std::vector<std::string>{"q", "h", "f"}));
  EXPECT_EQ(video->info().rids, video->params().rids);
  EXPECT_EQ(video->layer_count(), 3u);
  EXPECT_EQ(video->params().rid_id, 10);
  EXPECT_EQ(video->params().repaired_rid_id, 11);

  auto answer = sdp::SessionDescription::parse(result.answer_sdp);
  ASSERT_TRUE(answer.ok()) << answer.error();
  const auto* m = answer->find_media(video->info().mid);
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->rids.size(), 3u);
  EXPECT_EQ(m->rids[2].id, "f");
  EXPECT_EQ(m->rids[2].direction, sdp::RidDirection::recv);
  EXPECT_EQ(m->simulcast, "recv q;h;f");

  // Each layer's SSRC is learned from its RID (RFC 8852 §3.1), and an RTX
  // SSRC from the repaired RID (§3.2) of the layer it repairs.
  const std::string_view mid = video->info().mid;
  auto packet = [&](uint32_t ssrc, uint8_t pt, uint8_t rid_id, std::string_view rid, uint16_t seq) {
    std::vector<uint8_t> payload = {0x00, 0x07, 0x10, 0x01, 0x02, 0x03};
    std::vector<uint8_t> out(200);
    out.resize(rtp::RtpPacketBuilder()
                   .payload_type(pt)
                   .sequence_number(seq)
                   .timestamp(1000)
                   .ssrc(ssrc)
                   .add_extension(4, std::span(reinterpret_cast<const uint8_t*>(mid.data()), mid.size()))
                   .add_extension(rid_id, std::span(reinterpret_cast<const uint8_t*>(rid.data()), rid.size()))
                   .payload(payload)
                   .build(out));
    return out;
  };
  auto send = [&](std::vector<uint8_t> bytes) { connection.on_rtp(bytes, Clock::now()); };
  const uint8_t pt = video->params().payload_type;
  const uint8_t rtx_pt = *video->params().rtx_payload_type;
  send(packet(0xA1, pt, 10, "q", 1));
  send(packet(0xA2, pt, 10, "h", 1));
  send(packet(0xA3, pt, 10, "f", 1));
  send(packet(0xB2, rtx_pt, 11, "h", 1));
  send(packet(0xC0, pt, 10, "x", 1));  // a RID the offer did not name
  EXPECT_EQ(video->layer(0).ssrc(), 0xA1u);
  EXPECT_EQ(video->layer(1).ssrc(), 0xA2u);
  EXPECT_EQ(video->layer(2).ssrc(), 0xA3u);
  EXPECT_EQ(video->layer(1).rtx_ssrc(), 0xB2u);
  EXPECT_EQ(video->layer(0).rtx_ssrc(), 0u);
  EXPECT_EQ(video->layer(1).stats().packets_in, 2u);  // the RTX packet, unwrapped, counts for h
  bool rtx = false;
  EXPECT_EQ(video->layer_of_ssrc(0xC0, rtx), -1);
}

TEST_F(PublisherConnectionTest, AudioLevelsReachTheSpeakerDetector) {
  ASSERT_EQ(offer({Track{"0", false, kAudioSsrc}}).added.size(), 1u);
  auto now = Clock::now();
  for (int i = 0; i < 20; ++i) {
    auto packet = audio_packet(kAudioSsrc, uint16_t(i), 960u * i, 10, "0");
    connection.on_rtp(packet, now + milliseconds(20 * i));
  }
  EXPECT_GT(speakers.level(7, now + milliseconds(400)), 0.0f);
}

TEST_F(PublisherConnectionTest, QualitySampleCountsOnlyUnmutedPublications) {
  TrackMeta muted;
  muted.mid = "1";
  muted.muted = true;
  ASSERT_EQ(
      offer({Track{"0", false, kAudioSsrc}, Track{"1", true, kVideoSsrc, kRtxSsrc}}, {muted}).added.size(),
      2u);
  auto audio = audio_packet(kAudioSsrc, 1, 960, 10, "0");
  auto video = video_packet(kVideoSsrc, 1, 3000, 1, "1");
  connection.on_rtp(audio, Clock::now());
  connection.on_rtp(video, Clock::now());
  auto sample = connection.quality_sample();
  EXPECT_TRUE(sample.expecting);
  EXPECT_EQ(sample.packets_in, 1u);
  EXPECT_FALSE(sample.connected);
  EXPECT_FALSE(sample.closed);
}

TEST_F(PublisherConnectionTest, ReceiverReportsAndTransportFeedbackGoToTheBrowser) {
  auto result = offer({Track{"1", true, kVideoSsrc, kRtxSsrc}});
  ASSERT_TRUE(connect(result.answer_sdp));
  for (uint16_t i = 0; i < 5; ++i)
    browser.peer.send_rtp(video_packet(kVideoSsrc, uint16_t(100 + i), 3000u * i, i, "1"));
  bool report = false, feedback = false, reference_time = false;
  ASSERT_TRUE(run_until([&] {
    for (const auto& d : browser.peer.rtcp_received) {
      rtp::RtcpCompound c(d);
      while (auto p = c.next()) {
        if (auto rr = rtp::RtcpReceiverReport::parse(*p); rr && rr->report_count() == 1)
          report = report || rr->report_block(0).ssrc == kVideoSsrc;
        if (p->type() == rtp::rtcp_type::kTransportFeedback && p->count() == rtp::rtcp_fmt::kTransportCc)
          feedback = true;
        // RFC 3611 §4.4: a receiver reference time with the RR, from the same SSRC.
        if (auto xr = rtp::RtcpXr::parse(*p); xr && xr->rrtr())
          reference_time = reference_time || xr->sender_ssrc() == connection.feedback_ssrc();
      }
    }
    return report && feedback && reference_time;
  }));
  EXPECT_TRUE(connection.quality_sample().connected);
  EXPECT_EQ(connection.publications()[0]->stats().packets_in, 5u);
}

// The feedback measures the browser's sending, not when the server got round
// to reading: two packets sent 60 ms apart, read together, are 60 ms apart.
TEST_F(PublisherConnectionTest, TransportFeedbackCarriesWhenPacketsArrivedNotWhenTheyWereRead) {
  auto result = offer({Track{"1", true, kVideoSsrc, kRtxSsrc}});
  ASSERT_TRUE(connect(result.answer_sdp));
  browser.peer.send_rtp(video_packet(kVideoSsrc, 100, 3000, 1, "1"));
  browser.socket.flush();
  std::this_thread::sleep_for(milliseconds(60));  // the worker is busy: nothing is read
  browser.peer.send_rtp(video_packet(kVideoSsrc, 101, 6000, 2, "1"));
  browser.socket.flush();
  // Arrival times in µs by transport sequence number (RFC draft-holmer §3.1:
  // the reference time in 64 ms units, then each received packet's delta).
  std::map<uint16_t, int64_t> arrival_us;
  ASSERT_TRUE(run_until([&] {
    arrival_us.clear();
    for (const auto& d : browser.peer.rtcp_received) {
      rtp::RtcpCompound c(d);
      while (auto p = c.next()) {
        auto feedback = rtp::RtcpTransportCc::parse(*p);
        if (!feedback) continue;
        std::vector<rtp::TransportCcPacket> packets;
        feedback->packets(packets);
        int64_t at = int64_t(feedback->reference_time()) * 64'000;
        for (const auto& packet : packets) {
          if (!packet.received) continue;
          at += int64_t(packet.delta) * 250;
          arrival_us[packet.sequence_number] = at;
        }
      }
    }
    return arrival_us.count(1) && arrival_us.count(2);
  }));
  const int64_t apart_ms = (arrival_us[2] - arrival_us[1]) / 1000;
  // At least the sleep, and no more than it took plus the sends.
  EXPECT_GE(apart_ms, 55);
  EXPECT_LE(apart_ms, 250);
}

// A DLRR as the browser answers our RRTR: LRR `ago` before now, held `held` by the browser.
std::vector<uint8_t> dlrr(uint32_t for_ssrc, Duration ago, Duration held) {
  rtp::RtcpDlrrItem item;
  item.ssrc = for_ssrc;
  item.last_rr = uint32_t(SenderReportGenerator::to_ntp(std::chrono::system_clock::now() - ago) >> 16);
  item.delay_since_last_rr =
      uint32_t(std::chrono::duration_cast<microseconds>(held).count() * 65536 / 1'000'000);
  std::vector<uint8_t> out(rtp::RtcpXr::dlrr_size(1));
  out.resize(rtp::RtcpXr::build_dlrr(out, 0x5151, std::span(&item, 1)));
  return out;
}

double ms(Duration d) { return double(std::chrono::duration_cast<microseconds>(d).count()) / 1000; }

TEST_F(PublisherConnectionTest, TheBrowsersDlrrGivesTheRoundTrip) {
  ASSERT_EQ(offer({Track{"1", true, kVideoSsrc, kRtxSsrc}}).added.size(), 1u);
  auto now = Clock::now();
  // RFC 3611 §4.5: RTT = A - LRR - DLRR: sent 250 ms ago, held 50 ms: 200 ms.
  connection.on_rtcp(dlrr(connection.feedback_ssrc(), milliseconds(250), milliseconds(50)), now);
  ASSERT_TRUE(connection.round_trip());
  EXPECT_NEAR(ms(*connection.round_trip()), 200, 20);
  ASSERT_EQ(round_trips.measured.size(), 1u);
  EXPECT_EQ(connection.stats().round_trips, 1u);
  EXPECT_NEAR(double(connection.stats().round_trip_us) / 1000, 200, 20);

  // A sub-block for another receiver, one before any RRTR arrived, and a stale one are not ours to count.
  connection.on_rtcp(dlrr(0x77777777, milliseconds(100), milliseconds(0)), now);
  auto none_yet = dlrr(connection.feedback_ssrc(), milliseconds(0), milliseconds(0));
  std::fill(none_yet.begin() + 16, none_yet.begin() + 20, 0);  // LRR 0
  connection.on_rtcp(none_yet, now);
  connection.on_rtcp(dlrr(connection.feedback_ssrc(), seconds(30), milliseconds(0)), now);
  EXPECT_EQ(round_trips.measured.size(), 1u);
  EXPECT_EQ(connection.stats().round_trips, 1u);

  MediaCounters counters;
  connection.add_counters(counters);
  EXPECT_EQ(counters.publisher_round_trips, 1u);
  EXPECT_EQ(counters.publisher_round_trip_us, connection.stats().round_trip_us);
}

// TEST ONLY loss on the uplink (testing.drop_received_fraction): about that
// share of the publisher's media never reaches its publications; without
// the setting, nothing is dropped.
TEST_F(PublisherConnectionTest, TheTestOnlyUplinkLossDropsThatShareOfMediaPackets) {
  ParticipantContext lossy = context;
  lossy.drop_received_fraction = 0.25;
  PublisherConnection lossy_connection{lossy, router, round_trips, "bob", 8};
  for (PublisherConnection* c : {&connection, &lossy_connection}) {
    auto result = c->negotiate(publisher_offer_sdp(browser.peer, {Track{"1", true, kVideoSsrc, kRtxSsrc}}),
                               {}, Clock::now());
    ASSERT_EQ(result.added.size(), 1u);
    for (uint16_t i = 0; i < 2000; ++i) {
      auto video = video_packet(kVideoSsrc, uint16_t(100 + i), 3000u * i, i, "1");
      c->on_rtp(video, Clock::now());
    }
    const uint64_t in = result.added[0]->stats().packets_in;
    if (c == &connection) {
      EXPECT_EQ(in, 2000u);
    } else {
      EXPECT_GT(in, 1400u);
      EXPECT_LT(in, 1600u);
    }
  }
}

}  // namespace
}  // namespace ct::sfu::testing
