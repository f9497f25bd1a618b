#include <algorithm>
#include <map>
#include <set>

#include "RoomTestSupport.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/Rtx.hpp"
#include "sfu/DataPacket.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/Participant.hpp"
#include "sfu/SenderReportGenerator.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kAudioSsrc = 0x0a0a0a0a, kVideoSsrc = 0x0b0b0b0b, kRtxSsrc = 0x0c0c0c0c;

std::vector<Track> av_tracks() {
  return {Track{"0", false, kAudioSsrc, 0}, Track{"1", true, kVideoSsrc, kRtxSsrc}};
}

// The media packets of `ssrc`; padding-only packets (bandwidth probes on the
// RTX stream, SubscriberBandwidthEstimationTest) are not media.
std::vector<rtp::RtpPacket> parsed(std::vector<std::vector<uint8_t>>& packets, uint32_t ssrc) {
  std::vector<rtp::RtpPacket> out;
  for (auto& p : packets) {
    auto r = rtp::RtpPacket::parse(p);
    if (r && r->ssrc() == ssrc && !r->payload().empty()) out.push_back(*r);
  }
  return out;
}

const TrackInfo* track_of_kind(const std::vector<TrackInfo>& tracks, std::string_view kind) {
  for (const auto& t : tracks)
    if (t.kind == kind) return &t;
  return nullptr;
}

// How many times `seq` was NACKed for `media_ssrc` in what `peer` received.
template <class Peer>
size_t times_nacked(const Peer& peer, uint32_t media_ssrc, uint16_t seq) {
  size_t count = 0;
  for (const auto& d : peer.rtcp_received) {
    rtp::RtcpCompound c(d);
    while (auto p = c.next()) {
      auto nack = rtp::RtcpNack::parse(*p);
      if (!nack || nack->media_ssrc() != media_ssrc) continue;
      std::vector<uint16_t> lost;
      nack->lost_sequence_numbers(lost);
      count += size_t(std::count(lost.begin(), lost.end(), seq));
    }
  }
  return count;
}

class RoomTest : public RoomFixture {
 protected:
  // A publishes audio+video, B subscribes; both connections of both up.
  void two_connected(RoomOptions options = {}) {
    make_room(options);
    a = &join("alice");
    b = &join("bob");
    publish(*a, av_tracks());
    ASSERT_EQ(b->sink->count<event::SubscriberOffer>(), 2u);  // data channels at join, then the tracks
    answer_offer(*b);
    offer = b->sink->last<event::SubscriberOffer>();
    const TrackInfo* video = track_of_kind(offer.tracks, "video");
    ASSERT_TRUE(video);
    video_mid = video->mid;
    std::tie(sub_video_ssrc, sub_rtx_ssrc) = offered_ssrcs(offer.sdp, video_mid);
    ASSERT_NE(sub_video_ssrc, 0u);
  }

  void send_video(uint16_t first_seq, int count, uint32_t first_ts = 1000) {
    for (int i = 0; i < count; ++i) {
      uint16_t seq = uint16_t(first_seq + i);
      a->publisher.peer.send_rtp(video_packet(kVideoSsrc, seq, first_ts + 3000u * i, uint16_t(twcc_++), "1"));
    }
  }
  size_t received_video() { return parsed(b->subscriber.peer.rtp_received, sub_video_ssrc).size(); }

  // Brings up `who`'s data channels both ways: the server's two on its
  // subscriber connection, and `_reliable`/`_lossy` opened by the page on its
  // publisher connection. Returns the page's (reliable, lossy) streams.
  std::pair<uint16_t, uint16_t> open_data(Browser& who) {
    who.subscriber.peer.enable_data_channels();
    room->publisher_offer(who.identity, publisher_offer_sdp(who.publisher.peer, {}, true), {}, Clock::now());
    take_remote(who.publisher.peer, who.sink->last<event::PublisherAnswer>().sdp);
    who.publisher.peer.enable_data_channels();
    who.publisher.peer.send_check();
    EXPECT_TRUE(run_until([&] { return who.publisher.peer.data_connected(); })) << "publisher SCTP";
    auto reliable = who.publisher.peer.open_channel("_reliable", sctp::ChannelType::Reliable);
    auto lossy = who.publisher.peer.open_channel("_lossy", sctp::ChannelType::PartialReliableRexmitUnordered);
    EXPECT_TRUE(run_until([&] { return who.subscriber.peer.remote_channels.size() == 2; }))
        << "server channels";
    return {reliable.value_or(0), lossy.value_or(0)};
  }

  Browser* a = nullptr;
  Browser* b = nullptr;
  event::SubscriberOffer offer;
  std::string video_mid;
  uint32_t sub_video_ssrc = 0, sub_rtx_ssrc = 0;
  int twcc_ = 1;
};

TEST_F(RoomTest, JoinAnnouncesParticipants) {
  make_room();
  auto& a = join("alice");
  ParticipantInfo hidden;
  hidden.hidden = true;
  auto& h = join("observer", hidden);
  auto& b = join("bob");
  ASSERT_EQ(a.sink->count<event::Joined>(), 1u);
  EXPECT_EQ(a.sink->last<event::Joined>().room, "test-room");
  EXPECT_TRUE(a.sink->last<event::Joined>().others.empty());
  // The hidden observer is announced to nobody and listed to nobody.
  ASSERT_EQ(a.sink->count<event::ParticipantJoined>(), 1u);
  EXPECT_EQ(a.sink->last<event::ParticipantJoined>().participant.identity, "bob");
  ASSERT_EQ(b.sink->last<event::Joined>().others.size(), 1u);
  EXPECT_EQ(b.sink->last<event::Joined>().others[0].info.identity, "alice");
  EXPECT_EQ(h.sink->count<event::ParticipantJoined>(), 1u);  // it sees bob arrive
  EXPECT_EQ(room->participant_count(), 3u);
  // Nothing published: the subscriber connection carries data channels only.
  ASSERT_EQ(b.sink->count<event::SubscriberOffer>(), 1u);
  auto first = b.sink->last<event::SubscriberOffer>();
  EXPECT_TRUE(first.tracks.empty());
  auto sd = sdp::SessionDescription::parse(first.sdp);
  ASSERT_TRUE(sd.ok()) << sd.error();
  ASSERT_EQ(sd->media.size(), 1u);
  EXPECT_EQ(sd->media[0].media, "application");
  EXPECT_EQ(sd->media[0].proto, "UDP/DTLS/SCTP");
  EXPECT_EQ(sd->media[0].sctp_port, 5000);
  EXPECT_EQ(sd->media[0].setup, sdp::Setup::actpass);
}

TEST_F(RoomTest, PublishAnnouncesTrackAndOffersIt) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  std::vector<TrackMeta> meta{{"1", "screen_share", "my screen", false}};
  publish(a, av_tracks(), meta);

  auto answer = a.sink->last<event::PublisherAnswer>();
  ASSERT_EQ(answer.tracks.size(), 2u);
  auto answer_sdp = sdp::SessionDescription::parse(answer.sdp);
  ASSERT_TRUE(answer_sdp.ok());
  for (const auto& m : answer_sdp->media) {
    EXPECT_EQ(m.effective_direction(), sdp::Direction::recvonly);
    EXPECT_EQ(m.setup, sdp::Setup::passive);
  }
  EXPECT_TRUE(answer_sdp->ice_lite);

  auto published = b.sink->all<event::TrackPublished>();
  ASSERT_EQ(published.size(), 2u);
  const TrackInfo& video = published[1].track;
  EXPECT_EQ(video.kind, "video");
  EXPECT_EQ(video.codec, "VP8");
  EXPECT_EQ(video.source, "screen_share");
  EXPECT_EQ(video.name, "my screen");
  EXPECT_EQ(video.publisher, "alice");
  EXPECT_EQ(video.sid.rfind("TR_", 0), 0u);
  EXPECT_EQ(published[0].track.codec, "opus");
  EXPECT_EQ(published[0].track.source, "microphone");
  EXPECT_EQ(a.sink->count<event::TrackPublished>(), 0u);  // not to itself

  ASSERT_EQ(b.sink->count<event::SubscriberOffer>(), 2u);
  auto offer = b.sink->last<event::SubscriberOffer>();
  ASSERT_EQ(offer.tracks.size(), 2u);
  auto sd = sdp::SessionDescription::parse(offer.sdp);
  ASSERT_TRUE(sd.ok()) << sd.error();
  EXPECT_TRUE(sd->ice_lite);
  ASSERT_EQ(sd->media.size(), 3u);
  EXPECT_EQ(sd->media[0].media, "application");  // first, where it was
  for (const auto& m : sd->media) {
    if (m.media == "application") continue;
    EXPECT_EQ(m.effective_direction(), sdp::Direction::sendonly);
    EXPECT_EQ(m.setup, sdp::Setup::actpass);
    EXPECT_FALSE(m.ssrcs.empty());
  }
  const auto* vm = sd->find_media(track_of_kind(offer.tracks, "video")->mid);
  ASSERT_TRUE(vm);
  EXPECT_TRUE(vm->find_codec(96) && vm->find_codec(96)->name == "VP8");
  EXPECT_TRUE(vm->find_codec(97) && vm->find_codec(97)->name == "rtx");
  const auto* am = sd->find_media(track_of_kind(offer.tracks, "audio")->mid);
  ASSERT_TRUE(am);
  EXPECT_TRUE(am->find_codec(111) && am->find_codec(111)->name == "opus");
  // Only MID, audio level, abs-send-time and transport-cc exist on the
  // subscriber connection; every media section offers transport-cc feedback.
  for (const auto& m : sd->media) {
    for (const auto& e : m.extmaps)
      EXPECT_TRUE(e.uri == sdp::ext_uri::mid || e.uri == sdp::ext_uri::audio_level ||
                  e.uri == sdp::ext_uri::abs_send_time || e.uri == sdp::ext_uri::transport_cc)
          << e.uri;
    if (m.media == "application") continue;
    EXPECT_TRUE(std::any_of(m.extmaps.begin(), m.extmaps.end(), [](const auto& e) {
      return e.uri == sdp::ext_uri::transport_cc && e.id == subscriber_extension_id::kTransportCc;
    }));
    const auto& fb = m.codecs.front().rtcp_fb;
    EXPECT_NE(std::find(fb.begin(), fb.end(), "transport-cc"), fb.end()) << m.media;
  }

  // A participant joining later is offered the existing tracks at once.
  auto& c = join("carol");
  ASSERT_EQ(c.sink->count<event::SubscriberOffer>(), 1u);
  EXPECT_EQ(c.sink->last<event::SubscriberOffer>().tracks.size(), 2u);
  EXPECT_EQ(c.sink->last<event::Joined>().others[0].tracks.size(), 2u);
}

TEST_F(RoomTest, ForwardingRewritesSsrcSequenceTimestampPayloadTypeAndExtensions) {
  two_connected();
  send_video(40000, 20, 5000);
  ASSERT_TRUE(run_until([&] { return received_video() >= 20; }));
  auto packets = parsed(b->subscriber.peer.rtp_received, sub_video_ssrc);
  ASSERT_EQ(packets.size(), 20u);
  uint16_t first_seq = packets[0].sequence_number();
  uint32_t ts_offset = packets[0].timestamp() - 5000;
  for (size_t i = 0; i < packets.size(); ++i) {
    const auto& p = packets[i];
    EXPECT_EQ(p.ssrc(), sub_video_ssrc);
    EXPECT_EQ(p.payload_type(), 96);
    EXPECT_EQ(p.sequence_number(), uint16_t(first_seq + i));
    EXPECT_EQ(p.timestamp(), 5000 + 3000u * i + ts_offset);
    // abs-send-time moved to our id 3; MID carries the subscriber's mid;
    // the publisher's transport-cc element carries our transport-wide numbers.
    auto abs = rtp::read_abs_send_time(p.find_extension(3));
    ASSERT_TRUE(abs);
    EXPECT_EQ(*abs, 0x123456u);
    auto mid = rtp::read_mid(p.find_extension(1));
    ASSERT_TRUE(mid);
    EXPECT_EQ(*mid, video_mid);
    auto transport_seq = rtp::read_transport_sequence_number(p.find_extension(4));
    ASSERT_TRUE(transport_seq);
    if (i > 0) {
      EXPECT_TRUE(RtpStreamRewriter::is_newer(
          *transport_seq, *rtp::read_transport_sequence_number(packets[i - 1].find_extension(4))));
    }
    ASSERT_EQ(p.payload().size(), 300u);
    EXPECT_EQ(p.payload()[0], uint8_t(40000 + i));
  }
  EXPECT_EQ(b->subscriber.peer.srtp_errors, 0u);
  // Nothing comes back to the publisher's own subscriber connection.
  EXPECT_TRUE(a->subscriber.peer.rtp_received.empty());
}

TEST_F(RoomTest, SsrcsLearnedFromMidExtension) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  publish(a, {Track{"0", true, kVideoSsrc, kRtxSsrc, true, false}});
  answer_offer(b);
  auto offer = b.sink->last<event::SubscriberOffer>();
  auto [ssrc, rtx] = offered_ssrcs(offer.sdp, offer.tracks[0].mid);
  for (int i = 0; i < 5; ++i)
    a.publisher.peer.send_rtp(video_packet(kVideoSsrc, uint16_t(i), 100u * i, uint16_t(i), "0"));
  ASSERT_TRUE(run_until([&] { return parsed(b.subscriber.peer.rtp_received, ssrc).size() >= 5; }));
}

TEST_F(RoomTest, MuteStopsForwardingAndSequenceStaysContinuous) {
  two_connected();
  send_video(100, 10);
  ASSERT_TRUE(run_until([&] { return received_video() >= 10; }));
  auto sid = track_of_kind(offer.tracks, "video")->sid;
  room->set_track_muted("alice", sid, true);
  auto muted = b->sink->last<event::TrackMuted>();
  EXPECT_EQ(muted.sid, sid);
  EXPECT_EQ(muted.publisher, "alice");
  EXPECT_TRUE(muted.muted);
  send_video(110, 10, 31000);
  run_for(milliseconds(100));
  EXPECT_EQ(received_video(), 10u);
  room->set_track_muted("alice", sid, false);
  EXPECT_FALSE(b->sink->last<event::TrackMuted>().muted);
  send_video(120, 10, 61000);
  ASSERT_TRUE(run_until([&] { return received_video() >= 20; }));
  auto packets = parsed(b->subscriber.peer.rtp_received, sub_video_ssrc);
  for (size_t i = 1; i < packets.size(); ++i)
    EXPECT_EQ(packets[i].sequence_number(), uint16_t(packets[i - 1].sequence_number() + 1)) << i;
}

TEST_F(RoomTest, ABandwidthPauseOfASingleStreamStopsItAndResumesAtAKeyframe) {
  two_connected();
  // VP8 (RFC 7741): S=1 PID=0, then a keyframe (P=0, start code) or a delta frame.
  auto vp8 = [&](uint16_t seq, bool keyframe) {
    std::vector<uint8_t> payload = {0x10};
    if (keyframe) {
      payload.insert(payload.end(), {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01});
    } else {
      payload.insert(payload.end(), {0x31, 0x0a, 0x00});
    }
    payload.resize(300, 0);
    std::vector<uint8_t> out(1500);
    const std::string_view mid = "1";
    out.resize(
        rtp::RtpPacketBuilder()
            .payload_type(96)
            .sequence_number(seq)
            .timestamp(1000u + 3000u * seq)
            .ssrc(kVideoSsrc)
            .add_extension(kPubMid, std::span(reinterpret_cast<const uint8_t*>(mid.data()), mid.size()))
            .payload(payload)
            .build(out));
    a->publisher.peer.send_rtp(out);
  };
  for (uint16_t seq = 100; seq < 110; ++seq) vp8(seq, seq == 100);
  ASSERT_TRUE(run_until([&] { return received_video() >= 10; }));
  run_for(milliseconds(150));  // the rate counts whole 100 ms buckets
  // About 26 kbit/s of video measured: 1 kbit/s carries none of it.
  auto sid = track_of_kind(offer.tracks, "video")->sid;
  room->set_receive_bandwidth("bob", 1000);
  ASSERT_TRUE(run_until([&] { return b->sink->count<event::TrackPaused>() == 1; }));
  EXPECT_EQ(b->sink->last<event::TrackPaused>().sid, sid);
  EXPECT_TRUE(b->sink->last<event::TrackPaused>().paused);
  for (uint16_t seq = 110; seq < 115; ++seq) vp8(seq, seq == 110);
  run_for(milliseconds(100));
  EXPECT_EQ(received_video(), 10u);
  // Lifted: nothing until a keyframe, then on without a gap in the numbering.
  room->set_receive_bandwidth("bob", std::nullopt);
  EXPECT_FALSE(b->sink->last<event::TrackPaused>().paused);
  for (uint16_t seq = 115; seq < 118; ++seq) vp8(seq, false);
  run_for(milliseconds(100));
  EXPECT_EQ(received_video(), 10u);
  for (uint16_t seq = 118; seq < 121; ++seq) vp8(seq, seq == 118);
  ASSERT_TRUE(run_until([&] { return received_video() >= 13; }));
  auto packets = parsed(b->subscriber.peer.rtp_received, sub_video_ssrc);
  ASSERT_EQ(packets.size(), 13u);
  for (size_t i = 1; i < packets.size(); ++i)
    EXPECT_EQ(packets[i].sequence_number(), uint16_t(packets[i - 1].sequence_number() + 1)) << i;
}

TEST_F(RoomTest, NackFromSubscriberIsAnsweredWithRtx) {
  RoomOptions options;
  options.drop_forwarded_fraction = 0.25;
  two_connected(options);
  ASSERT_NE(sub_rtx_ssrc, 0u);
  send_video(1000, 60);
  run_for(milliseconds(200));
  auto packets = parsed(b->subscriber.peer.rtp_received, sub_video_ssrc);
  ASSERT_GT(packets.size(), 20u);
  std::set<uint16_t> got;
  for (auto& p : packets) got.insert(p.sequence_number());
  uint16_t first = packets.front().sequence_number();
  std::vector<uint16_t> missing;
  for (uint16_t s = first; s != uint16_t(first + 55); ++s)
    if (!got.count(s)) missing.push_back(s);
  ASSERT_FALSE(missing.empty()) << "fault injection dropped nothing";

  // Sequence numbers of the delivered packets keep their place: the gaps are the drops.
  std::array<uint8_t, 256> nack;
  size_t n = rtp::RtcpNack::build(nack, 1, sub_video_ssrc, missing);
  ASSERT_GT(n, 0u);
  b->subscriber.peer.send_rtcp(std::span(nack.data(), n));
  ASSERT_TRUE(run_until(
      [&] { return parsed(b->subscriber.peer.rtp_received, sub_rtx_ssrc).size() >= missing.size(); }));
  auto rtx = parsed(b->subscriber.peer.rtp_received, sub_rtx_ssrc);
  std::set<uint16_t> repaired;
  for (auto& r : rtx) {
    EXPECT_EQ(r.payload_type(), 97);
    auto osn = rtp::rtx_original_sequence_number(r);
    ASSERT_TRUE(osn);
    repaired.insert(*osn);
    // The payload after the OSN is the original packet's.
    uint16_t original_seq = uint16_t(*osn - first + 1000);
    ASSERT_EQ(r.payload().size(), 302u);
    EXPECT_EQ(r.payload()[2], uint8_t(original_seq));
  }
  for (uint16_t s : missing) EXPECT_TRUE(repaired.count(s)) << s;
  // RTX sequence numbers are their own, consecutive.
  for (size_t i = 1; i < rtx.size(); ++i)
    EXPECT_EQ(rtx[i].sequence_number(), uint16_t(rtx[i - 1].sequence_number() + 1));
}

TEST_F(RoomTest, PublisherGapsAreNackedUpstreamAndRtxIsUnwrapped) {
  two_connected();
  send_video(500, 5);
  // 505 and 506 are lost on the way in.
  send_video(507, 5, 1000 + 3000 * 7);
  ASSERT_TRUE(run_until([&] {
    return times_nacked(a->publisher.peer, kVideoSsrc, 505) > 0 &&
           times_nacked(a->publisher.peer, kVideoSsrc, 506) > 0;
  }));
  // The publisher repairs 505 over RTX; the subscriber sees it as a normal packet.
  auto media = video_packet(kVideoSsrc, 505, 1000 + 3000 * 5, 999, "1");
  auto view = rtp::RtpPacket::parse(media);
  std::vector<uint8_t> rtx(1600);
  size_t n = rtp::wrap_rtx(*view, kRtxSsrc, 97, 1, rtx);
  rtx.resize(n);
  a->publisher.peer.send_rtp(rtx);
  ASSERT_TRUE(run_until([&] { return received_video() >= 11; }));
  auto packets = parsed(b->subscriber.peer.rtp_received, sub_video_ssrc);
  auto& repaired = packets.back();
  EXPECT_EQ(repaired.payload_type(), 96);
  EXPECT_EQ(repaired.sequence_number(), uint16_t(packets[0].sequence_number() + 5));
  EXPECT_EQ(repaired.payload()[0], uint8_t(505));

  // The same repair again (a second RTX copy, a bandwidth probe) and a plain
  // duplicate of 508 reach no subscriber: they would only be replays there.
  std::vector<uint8_t> again(1600);
  again.resize(rtp::wrap_rtx(*view, kRtxSsrc, 97, 2, again));
  a->publisher.peer.send_rtp(again);
  a->publisher.peer.send_rtp(video_packet(kVideoSsrc, 508, 1000 + 3000 * 8, 1000, "1"));
  send_video(512, 1, 1000 + 3000 * 12);
  ASSERT_TRUE(run_until([&] { return received_video() >= 12; }));
  run_for(milliseconds(50));
  EXPECT_EQ(received_video(), 12u);
  EXPECT_EQ(b->subscriber.peer.srtp_errors, 0u);
}

TEST_F(RoomTest, PublisherNacksArePacedByTheRoundTripOfItsSubscriberConnection) {
  two_connected();
  // Bob publishes too, so alice's subscriber connection carries a stream
  // whose receiver reports tell the round trip to alice's browser.
  publish(*b, {Track{"0", true, 0x0d0d0d0d, 0}});
  answer_offer(*a);
  auto a_offer = a->sink->last<event::SubscriberOffer>();
  const TrackInfo* bobs = track_of_kind(a_offer.tracks, "video");
  ASSERT_TRUE(bobs);
  rtp::RtcpReportBlock block;
  block.ssrc = offered_ssrcs(a_offer.sdp, bobs->mid).first;
  ASSERT_NE(block.ssrc, 0u);
  // RFC 3550 §6.4.1: an LSR 300 ms ago with no delay at alice is a 300 ms round trip.
  block.last_sr = uint32_t(
      SenderReportGenerator::to_ntp(std::chrono::system_clock::now() - std::chrono::milliseconds(300)) >> 16);
  std::array<uint8_t, 64> rr;
  size_t n = rtp::RtcpReceiverReport::build(rr, 1, std::span(&block, 1));
  ASSERT_GT(n, 0u);
  a->subscriber.peer.send_rtcp(std::span(rr.data(), n));
  run_for(milliseconds(50));

  auto nacks_for = [&](uint16_t seq) { return times_nacked(a->publisher.peer, kVideoSsrc, seq); };
  // 3005 is lost on the way in: NACKed once, not again before a
  // retransmission could be back (it was every 20 ms without a round trip).
  send_video(3000, 5);
  send_video(3006, 3, 1000 + 3000 * 6);
  ASSERT_TRUE(run_until([&] { return nacks_for(3005) >= 1; }));
  run_for(milliseconds(200));
  EXPECT_EQ(nacks_for(3005), 1u);
  ASSERT_TRUE(run_until([&] { return nacks_for(3005) >= 2; }, milliseconds(400)));
}

TEST_F(RoomTest, PliIsForwardedUpstreamAndThrottled) {
  RoomOptions options;
  options.keyframe_request_interval = milliseconds(300);
  two_connected(options);
  send_video(1, 3);
  ASSERT_TRUE(run_until([&] { return received_video() >= 3; }));
  // The new subscription asked for a keyframe.
  ASSERT_TRUE(run_until([&] { return count_plis(a->publisher.peer, kVideoSsrc) >= 1; }));
  // Its connecting asked again, inside the interval: that one follows later.
  // Wait until both are out and the interval is over.
  run_for(milliseconds(700));
  a->publisher.peer.rtcp_received.clear();
  auto counters = [&] {
    RoomCensus census;
    MediaCounters c;
    room->add_metrics(census, c);
    return c;
  };
  const MediaCounters before = counters();

  std::array<uint8_t, 32> pli;
  size_t n = rtp::RtcpPli::build(pli, 1, sub_video_ssrc);
  for (int i = 0; i < 3; ++i) b->subscriber.peer.send_rtcp(std::span(pli.data(), n));
  run_for(milliseconds(100));
  EXPECT_EQ(count_plis(a->publisher.peer, kVideoSsrc), 1u);
  const MediaCounters during = counters();
  EXPECT_EQ(during.keyframe_requests_sent - before.keyframe_requests_sent, 1u);
  EXPECT_EQ(during.keyframe_requests_throttled - before.keyframe_requests_throttled, 2u);
  // One subscriber asking again and again gets at most one keyframe request
  // a second through (Subscription::kKeyframeRequestInterval), so it cannot
  // make the publisher's keyframes, large and costly for everyone, more frequent.
  run_for(milliseconds(400));
  EXPECT_EQ(count_plis(a->publisher.peer, kVideoSsrc), 1u);
  run_for(milliseconds(600));
  b->subscriber.peer.send_rtcp(std::span(pli.data(), n));
  ASSERT_TRUE(run_until([&] { return count_plis(a->publisher.peer, kVideoSsrc) == 2; }));
  const MediaCounters after = counters();
  EXPECT_EQ(after.keyframe_requests_sent - before.keyframe_requests_sent, 2u);
  EXPECT_EQ(after.keyframe_requests_throttled, during.keyframe_requests_throttled);  // only ever grows
}

TEST_F(RoomTest, RepeatedFirIsOneRequestAndANewOneIsAnother) {
  two_connected();
  send_video(1, 3);
  ASSERT_TRUE(run_until([&] { return received_video() >= 3; }));
  run_for(milliseconds(1100));  // past the requests of the subscription's start
  a->publisher.peer.rtcp_received.clear();
  auto send_fir = [&](uint8_t command_sequence_number) {
    rtp::RtcpFirEntry entry;
    entry.ssrc = sub_video_ssrc;
    entry.sequence_number = command_sequence_number;
    std::array<uint8_t, 64> fir;
    size_t n = rtp::RtcpFir::build(fir, 1, std::span(&entry, 1));
    ASSERT_GT(n, 0u);
    b->subscriber.peer.send_rtcp(std::span(fir.data(), n));
  };
  send_fir(7);
  ASSERT_TRUE(run_until([&] { return count_plis(a->publisher.peer, kVideoSsrc) == 1; }));
  // RFC 5104 §4.3.1.2: the same number again is a repeat of that request.
  run_for(milliseconds(1100));
  send_fir(7);
  run_for(milliseconds(700));
  EXPECT_EQ(count_plis(a->publisher.peer, kVideoSsrc), 1u);
  send_fir(8);
  ASSERT_TRUE(run_until([&] { return count_plis(a->publisher.peer, kVideoSsrc) == 2; }));
}

TEST_F(RoomTest, NackStormsAreBoundedAndNeverRevealUnsentPackets) {
  two_connected();
  ASSERT_NE(sub_rtx_ssrc, 0u);
  send_video(2000, 40);
  ASSERT_TRUE(run_until([&] { return received_video() >= 40; }));
  auto packets = parsed(b->subscriber.peer.rtp_received, sub_video_ssrc);
  const uint16_t first = packets.front().sequence_number();
  const uint16_t last = packets.back().sequence_number();
  auto rtx_count = [&] { return parsed(b->subscriber.peer.rtp_received, sub_rtx_ssrc).size(); };
  auto nack_for = [&](std::vector<uint16_t> numbers) {
    std::array<uint8_t, 1200> nack;
    size_t n = rtp::RtcpNack::build(nack, 1, sub_video_ssrc, numbers);
    ASSERT_GT(n, 0u);
    b->subscriber.peer.send_rtcp(std::span(nack.data(), n));
  };

  // One NACK repeating the same 40 numbers many times: each is resent once.
  std::vector<uint16_t> all;
  for (int repeat = 0; repeat < 5; ++repeat)
    for (uint16_t s = first; s != uint16_t(last + 1); ++s) all.push_back(s);
  nack_for(all);
  run_for(milliseconds(100));
  EXPECT_EQ(rtx_count(), 40u);

  // A storm of NACKs for everything, again and again: the budget holds it to
  // about kRetransmitBurst plus kRetransmitsPerSecond per second.
  for (int i = 0; i < 30; ++i) {
    nack_for(std::vector<uint16_t>(all.begin(), all.begin() + 40));
    run_for(milliseconds(60));
  }
  size_t resent = rtx_count();
  EXPECT_LE(resent, size_t(Subscription::kRetransmitBurst + Subscription::kRetransmitsPerSecond * 2.5));
  RoomCensus census;
  MediaCounters c;
  room->add_metrics(census, c);
  EXPECT_EQ(c.retransmitted, resent);
  EXPECT_GT(c.retransmissions_limited, 100u);

  // Packets the publisher sends while muted are neither forwarded nor kept:
  // a NACK for the numbers that would come next fetches nothing.
  auto sid = track_of_kind(offer.tracks, "video")->sid;
  room->set_track_muted("alice", sid, true);
  send_video(2040, 10, 200000);
  run_for(milliseconds(1100));  // the budget refills
  const size_t before_mute_nack = rtx_count();
  std::vector<uint16_t> next;
  for (uint16_t s = uint16_t(last + 1); s != uint16_t(last + 11); ++s) next.push_back(s);
  nack_for(next);
  run_for(milliseconds(100));
  EXPECT_EQ(rtx_count(), before_mute_nack);
  EXPECT_EQ(received_video(), 40u);
}

TEST_F(RoomTest, LeaveUnpublishesAndReoffersWithoutTheTracks) {
  two_connected();
  room->leave("alice", "bye");
  EXPECT_EQ(b->sink->count<event::TrackUnpublished>(), 2u);
  auto left = b->sink->last<event::ParticipantLeft>();
  EXPECT_EQ(left.identity, "alice");
  EXPECT_EQ(left.reason, "bye");
  // TrackUnpublished comes before ParticipantLeft.
  size_t last_unpublished = 0, left_at = 0;
  for (size_t i = 0; i < b->sink->events.size(); ++i) {
    if (std::holds_alternative<event::TrackUnpublished>(b->sink->events[i])) last_unpublished = i;
    if (std::holds_alternative<event::ParticipantLeft>(b->sink->events[i])) left_at = i;
  }
  EXPECT_LT(last_unpublished, left_at);
  ASSERT_EQ(b->sink->count<event::SubscriberOffer>(), 3u);
  auto reoffer = b->sink->last<event::SubscriberOffer>();
  EXPECT_TRUE(reoffer.tracks.empty());
  auto sd = sdp::SessionDescription::parse(reoffer.sdp);
  ASSERT_TRUE(sd.ok());
  ASSERT_EQ(sd->media.size(), 3u);
  for (const auto& m : sd->media) EXPECT_EQ(m.port == 0, m.media != "application") << m.media;
  EXPECT_EQ(room->participant_count(), 1u);
  answer_offer(*b);
  EXPECT_EQ(b->sink->count<event::Error>(), 0u);
}

TEST_F(RoomTest, MetricsCountLiveTracksAndKeepTotalsAfterTheyEnd) {
  MediaCounters totals;
  RoomOptions options;
  options.totals = &totals;
  two_connected(options);
  send_video(100, 10);
  ASSERT_TRUE(run_until([&] { return received_video() >= 10; }));

  RoomCensus census;
  MediaCounters live;
  room->add_metrics(census, live);
  EXPECT_EQ(census.participants, 2u);
  EXPECT_EQ(census.audio_publications, 1u);
  EXPECT_EQ(census.video_publications, 1u);
  EXPECT_EQ(census.subscriptions, 2u);
  EXPECT_EQ(live.publication_packets_in, 10u);
  EXPECT_EQ(live.forwarded, 10u);
  EXPECT_GE(live.rtp_packets_in, 10u);
  EXPECT_GE(live.rtp_packets_out, 10u);
  EXPECT_EQ(totals.forwarded, 0u);
  EXPECT_EQ(totals.participants_joined, 2u);
  EXPECT_EQ(totals.tracks_published, 2u);

  // Alice leaves: her tracks and Bob's subscriptions to them end; what they
  // counted moves to the totals, so live + totals does not go backwards.
  room->leave("alice", "bye");
  RoomCensus after;
  MediaCounters live_after;
  room->add_metrics(after, live_after);
  EXPECT_EQ(after.participants, 1u);
  EXPECT_EQ(after.audio_publications + after.video_publications + after.subscriptions, 0u);
  EXPECT_EQ(totals.forwarded, 10u);
  EXPECT_EQ(totals.publication_packets_in, 10u);
  MediaCounters total = totals;
  total += live_after;
  EXPECT_GE(total.rtp_packets_in, live.rtp_packets_in);
  EXPECT_GE(total.rtp_packets_out, live.rtp_packets_out);
  EXPECT_EQ(total.forwarded, live.forwarded);

  room.reset();  // Bob's transports fold in too
  EXPECT_EQ(totals.rtp_packets_out, total.rtp_packets_out);
  EXPECT_EQ(totals.rtp_packets_in, total.rtp_packets_in);
}

TEST_F(RoomTest, UnpublishByRenegotiation) {
  two_connected();
  auto tracks = av_tracks();
  tracks[1].sending = false;
  publish(*a, tracks);
  ASSERT_EQ(b->sink->count<event::TrackUnpublished>(), 1u);
  EXPECT_EQ(b->sink->last<event::TrackUnpublished>().sid, track_of_kind(offer.tracks, "video")->sid);
  ASSERT_EQ(b->sink->count<event::SubscriberOffer>(), 3u);
  auto reoffer = b->sink->last<event::SubscriberOffer>();
  ASSERT_EQ(reoffer.tracks.size(), 1u);
  EXPECT_EQ(reoffer.tracks[0].kind, "audio");
  // Forwarding of the stopped track ends at once.
  send_video(1, 5);
  run_for(milliseconds(100));
  EXPECT_EQ(received_video(), 0u);
}

TEST_F(RoomTest, RenegotiationIsSerialized) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  auto& c = join("carol");
  publish(a, {Track{"0", false, kAudioSsrc, 0}});
  ASSERT_EQ(b.sink->count<event::SubscriberOffer>(), 2u);
  // Two more publications while bob's offer is outstanding: no offer yet.
  publish(a, {Track{"0", false, kAudioSsrc, 0}, Track{"1", true, kVideoSsrc, kRtxSsrc}});
  publish(c, {Track{"0", false, 0x77777777, 0}});
  EXPECT_EQ(b.sink->count<event::SubscriberOffer>(), 2u);
  EXPECT_EQ(b.sink->count<event::TrackPublished>(), 3u);
  // An answer to nothing is refused.
  room->subscriber_answer("carol", "v=0\r\n");
  room->subscriber_answer(
      "carol", subscriber_answer_sdp(c.subscriber.peer, c.sink->last<event::SubscriberOffer>().sdp));
  answer_offer(b);
  // Exactly one follow-up offer, with all three tracks.
  ASSERT_EQ(b.sink->count<event::SubscriberOffer>(), 3u);
  EXPECT_EQ(b.sink->last<event::SubscriberOffer>().tracks.size(), 3u);
  answer_offer(b);
  EXPECT_EQ(b.sink->count<event::SubscriberOffer>(), 3u);
  room->subscriber_answer(
      "bob", subscriber_answer_sdp(b.subscriber.peer, b.sink->last<event::SubscriberOffer>().sdp));
  EXPECT_EQ(b.sink->last<event::Error>().code, "no_offer_pending");
}

TEST_F(RoomTest, DuplicateIdentityReplacesTheFirst) {
  make_room();
  auto& a1 = join("alice");
  auto& b = join("bob");
  publish(a1, av_tracks());
  auto& a2 = join("alice");
  EXPECT_EQ(a1.sink->last<event::Removed>().reason, "duplicate_identity");
  EXPECT_EQ(a2.sink->count<event::Removed>(), 0u);
  EXPECT_EQ(room->participant_count(), 2u);
  EXPECT_EQ(b.sink->count<event::TrackUnpublished>(), 2u);
  EXPECT_EQ(b.sink->last<event::ParticipantLeft>().reason, "duplicate_identity");
  EXPECT_EQ(b.sink->all<event::ParticipantJoined>().back().participant.identity, "alice");
  // The new connection is the one events go to.
  room->set_track_muted("bob", "TR_nothing", true);
  EXPECT_EQ(b.sink->last<event::Error>().code, "track_not_found");
}

TEST_F(RoomTest, RoomFull) {
  RoomOptions options;
  options.max_participants = 2;
  make_room(options);
  join("alice");
  join("bob");
  auto sink = std::make_shared<RecordingSink>();
  ParticipantInfo carol;
  carol.identity = "carol";
  auto error = room->join(carol, sink, Clock::now());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "room_full");
  EXPECT_EQ(room->participant_count(), 2u);
  EXPECT_TRUE(sink->events.empty());
  // Replacing an identity in a full room is allowed.
  ParticipantInfo alice;
  alice.identity = "alice";
  EXPECT_FALSE(room->join(alice, sink, Clock::now()));
}

TEST_F(RoomTest, PublishNotAllowed) {
  make_room();
  ParticipantInfo viewer;
  viewer.can_publish = false;
  auto& v = join("viewer", viewer);
  ParticipantInfo hidden;
  hidden.hidden = true;
  auto& h = join("ghost", hidden);
  room->publisher_offer("viewer", publisher_offer_sdp(v.publisher.peer, av_tracks()), {}, Clock::now());
  room->publisher_offer("ghost", publisher_offer_sdp(h.publisher.peer, av_tracks()), {}, Clock::now());
  EXPECT_EQ(v.sink->last<event::Error>().code, "publish_not_allowed");
  EXPECT_EQ(h.sink->last<event::Error>().code, "publish_not_allowed");
  EXPECT_EQ(v.sink->count<event::PublisherAnswer>(), 0u);
  auto& a = join("alice");
  room->publisher_offer("alice", "not sdp", {}, Clock::now());
  EXPECT_EQ(a.sink->last<event::Error>().code, "bad_sdp");
}

TEST_F(RoomTest, TooManyTracksInOneOfferAreRefusedWhole) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  std::vector<Track> tracks;
  for (size_t i = 0; i <= Participant::kMaxPublications; ++i)
    tracks.push_back(Track{std::to_string(i), true, uint32_t(0x1000 + i), 0});
  room->publisher_offer("alice", publisher_offer_sdp(a.publisher.peer, tracks), {}, Clock::now());
  EXPECT_EQ(a.sink->last<event::Error>().code, "too_many_tracks");
  EXPECT_EQ(a.sink->count<event::PublisherAnswer>(), 0u);
  EXPECT_EQ(b.sink->count<event::TrackPublished>(), 0u);
  // One fewer is fine.
  tracks.pop_back();
  room->publisher_offer("alice", publisher_offer_sdp(a.publisher.peer, tracks), {}, Clock::now());
  EXPECT_EQ(a.sink->count<event::PublisherAnswer>(), 1u);
  EXPECT_EQ(b.sink->count<event::TrackPublished>(), Participant::kMaxPublications);
}

TEST_F(RoomTest, ReplaceSinkResendsPendingOffer) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob", {}, /*answer_first_offer=*/false);
  publish(a, av_tracks());
  auto sink = std::make_shared<RecordingSink>();
  EXPECT_TRUE(room->replace_sink("bob", sink));
  EXPECT_FALSE(room->replace_sink("nobody", sink));
  // A resumed session gets the room as it is now, then the offer it never answered.
  ASSERT_EQ(sink->count<event::Joined>(), 1u);
  ASSERT_EQ(sink->last<event::Joined>().others.size(), 1u);
  EXPECT_EQ(sink->last<event::Joined>().others[0].info.identity, "alice");
  EXPECT_EQ(sink->last<event::Joined>().others[0].tracks.size(), 2u);
  ASSERT_EQ(sink->count<event::SubscriberOffer>(), 1u);
  EXPECT_EQ(sink->last<event::SubscriberOffer>().sdp, b.sink->last<event::SubscriberOffer>().sdp);
  EXPECT_TRUE(std::holds_alternative<event::Joined>(sink->events.front()));
  // The replaced connection is told to go, and no longer speaks for bob.
  ASSERT_EQ(b.sink->count<event::Removed>(), 1u);
  EXPECT_EQ(b.sink->last<event::Removed>().reason, "resumed_elsewhere");
  EXPECT_FALSE(room->is_current_sink("bob", b.sink.get()));
  EXPECT_TRUE(room->is_current_sink("bob", sink.get()));
  EXPECT_FALSE(room->is_current_sink("nobody", sink.get()));
  // Resuming on the same connection again is not a replacement.
  EXPECT_TRUE(room->replace_sink("bob", sink));
  EXPECT_EQ(sink->count<event::Removed>(), 0u);
  EXPECT_EQ(room->participant_count(), 2u);
}

// The ICE ufrag of the first live section of a description.
std::string ice_ufrag_of(const std::string& sdp_text) {
  auto d = sdp::SessionDescription::parse(sdp_text);
  if (!d.ok()) return {};
  for (const auto& m : d->media)
    if (m.port != 0) return m.ice_ufrag.empty() ? d->ice_ufrag : m.ice_ufrag;
  return {};
}

TEST_F(RoomTest, ResumeRestartsIceOnTheSubscriberConnection) {
  two_connected();
  std::string old_ufrag = ice_ufrag_of(offer.sdp);
  auto sink = std::make_shared<RecordingSink>();
  b->sink = sink;
  ASSERT_TRUE(room->replace_sink("bob", sink));
  ASSERT_EQ(sink->count<event::Joined>(), 1u);
  ASSERT_EQ(sink->count<event::SubscriberOffer>(), 1u);
  auto restart = sink->last<event::SubscriberOffer>();
  std::string new_ufrag = ice_ufrag_of(restart.sdp);
  EXPECT_FALSE(new_ufrag.empty());
  EXPECT_NE(new_ufrag, old_ufrag);

  // Media keeps flowing on the old path while the browser restarts too.
  send_video(100, 5);
  ASSERT_TRUE(run_until([&] { return received_video() >= 5; }));

  b->subscriber.peer.restart_ice();
  room->subscriber_answer("bob", subscriber_answer_sdp(b->subscriber.peer, restart.sdp));
  auto restart_sdp = sdp::SessionDescription::parse(restart.sdp);
  ASSERT_TRUE(restart_sdp.ok());
  b->subscriber.peer.set_remote_ice(new_ufrag, restart_sdp->media[0].ice_pwd.empty()
                                                   ? restart_sdp->ice_pwd
                                                   : restart_sdp->media[0].ice_pwd);
  size_t responses = b->subscriber.peer.check_responses;
  b->subscriber.peer.send_check();
  ASSERT_TRUE(run_until([&] { return b->subscriber.peer.check_responses > responses; }))
      << "a check on the new credentials is answered";
  send_video(105, 5);
  ASSERT_TRUE(run_until([&] { return received_video() >= 10; }));
  EXPECT_EQ(sink->count<event::Error>(), 0u);
}

TEST_F(RoomTest, PublisherIceRestartAnswersWithNewCredentials) {
  two_connected();
  std::string old_ufrag = ice_ufrag_of(a->sink->last<event::PublisherAnswer>().sdp);
  a->publisher.peer.restart_ice();
  publish(*a, av_tracks());
  auto answer = a->sink->last<event::PublisherAnswer>();
  std::string new_ufrag = ice_ufrag_of(answer.sdp);
  EXPECT_NE(new_ufrag, old_ufrag);
  auto answer_sdp = sdp::SessionDescription::parse(answer.sdp);
  ASSERT_TRUE(answer_sdp.ok());
  const auto& m0 = answer_sdp->media[0];
  a->publisher.peer.set_remote_ice(new_ufrag, m0.ice_pwd.empty() ? answer_sdp->ice_pwd : m0.ice_pwd);
  size_t responses = a->publisher.peer.check_responses;
  a->publisher.peer.send_check();
  ASSERT_TRUE(run_until([&] { return a->publisher.peer.check_responses > responses; }));
  // The same tracks, still forwarded: a restart is not a republish.
  EXPECT_EQ(b->sink->count<event::TrackPublished>(), 2u);
  send_video(100, 5);
  ASSERT_TRUE(run_until([&] { return received_video() >= 5; }));
  EXPECT_EQ(a->sink->count<event::Error>(), 0u);

  // Another certificate on a live connection is not a restart: refused.
  test::TestPeer stranger([](std::span<const uint8_t>) {});
  room->publisher_offer("alice", publisher_offer_sdp(stranger, av_tracks()), {}, Clock::now());
  EXPECT_EQ(a->sink->last<event::Error>().code, "bad_sdp");
}

std::string quality_of(const std::vector<event::ConnectionQuality>& updates, const std::string& identity) {
  std::string last;
  for (const auto& u : updates)
    for (const auto& q : u.updates)
      if (q.identity == identity) last = q.quality;
  return last;
}

TEST_F(RoomTest, ConnectionQualityFollowsLossAndSilence) {
  two_connected();
  uint16_t seq = 100;
  TimePoint next_packet = Clock::now();
  auto alice_sends = [&] {
    if (Clock::now() < next_packet) return;
    send_video(seq++, 1);
    next_packet = Clock::now() + milliseconds(20);
  };
  // Both sides clean: everyone is told both are excellent.
  ASSERT_TRUE(run_until([&] {
    alice_sends();
    return b->sink->count<event::ConnectionQuality>() > 0;
  }));
  auto snapshot = b->sink->all<event::ConnectionQuality>();
  EXPECT_EQ(quality_of(snapshot, "alice"), "excellent");
  EXPECT_EQ(quality_of(snapshot, "bob"), "excellent");
  EXPECT_EQ(quality_of(a->sink->all<event::ConnectionQuality>(), "bob"), "excellent");

  // Bob's browser reports 30% loss on what we send it: bob is poor, at once.
  rtp::RtcpReportBlock block;
  block.ssrc = sub_video_ssrc;
  block.fraction_lost = 77;
  std::vector<uint8_t> rr(rtp::RtcpReceiverReport::size(1));
  rr.resize(rtp::RtcpReceiverReport::build(rr, 0x1234, std::span(&block, 1)));
  b->subscriber.peer.send_rtcp(rr);
  ASSERT_TRUE(run_until(
      [&] {
        alice_sends();
        return quality_of(a->sink->all<event::ConnectionQuality>(), "bob") == "poor";
      },
      seconds(5)));
  EXPECT_NE(quality_of(a->sink->all<event::ConnectionQuality>(), "alice"), "poor");

  // Alice's camera goes silent while unmuted: she is lost to everyone.
  ASSERT_TRUE(run_until(
      [&] { return quality_of(b->sink->all<event::ConnectionQuality>(), "alice") == "lost"; }, seconds(6)));
  // Muting is not silence: once muted and quiet, she recovers.
  for (const auto& t : b->sink->all<event::TrackPublished>())
    room->set_track_muted("alice", t.track.sid, true);
  ASSERT_TRUE(
      run_until([&] { return quality_of(b->sink->all<event::ConnectionQuality>(), "alice") == "excellent"; },
                seconds(8)));
}

std::vector<uint8_t> envelope(std::string_view topic, std::string_view text,
                              std::vector<std::string_view> to = {}) {
  std::span<const uint8_t> payload(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  std::vector<uint8_t> out(DataPacket::size("", topic, payload, to));
  DataPacket::write(out, "", topic, payload, to);
  return out;
}

TEST_F(RoomTest, DataMessagesAreRelayedToEveryoneOrTheNamedOnes) {
  make_room();
  auto& alice = join("alice");
  auto& bob = join("bob");
  auto& carol = join("carol");
  auto [reliable, lossy] = open_data(alice);
  open_data(bob);
  open_data(carol);
  // The server's channels carry the client's labels, on odd stream ids.
  for (auto* who : {&alice, &bob, &carol}) {
    std::set<std::string> labels;
    for (const auto& [stream, label] : who->subscriber.peer.remote_channels) {
      EXPECT_EQ(stream % 2, 1) << label;
      labels.insert(label);
    }
    EXPECT_EQ(labels, (std::set<std::string>{"_reliable", "_lossy"}));
  }

  ASSERT_TRUE(alice.publisher.peer.send_data(reliable, envelope("chat", "hello all")));
  ASSERT_TRUE(run_until([&] {
    return bob.subscriber.peer.data_received.size() == 1 && carol.subscriber.peer.data_received.size() == 1;
  }));
  const auto& got = bob.subscriber.peer.data_received[0];
  EXPECT_EQ(got.label, "_reliable");
  auto packet = DataPacket::parse(got.bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->sender(), "alice");  // filled in by the server
  EXPECT_EQ(packet->topic(), "chat");
  EXPECT_EQ(packet->destination_count(), 0u);
  EXPECT_EQ(std::string(packet->payload().begin(), packet->payload().end()), "hello all");

  // To carol only, lossy.
  ASSERT_TRUE(alice.publisher.peer.send_data(lossy, envelope("cursor", "x=1", {"carol"})));
  ASSERT_TRUE(run_until([&] { return carol.subscriber.peer.data_received.size() == 2; }));
  EXPECT_EQ(carol.subscriber.peer.data_received[1].label, "_lossy");
  run_for(milliseconds(50));
  EXPECT_EQ(bob.subscriber.peer.data_received.size(), 1u);
  EXPECT_TRUE(alice.subscriber.peer.data_received.empty());  // never to the sender

  // Garbage and text frames are dropped; the channel keeps working.
  std::vector<uint8_t> junk{9, 9, 9};
  alice.publisher.peer.send_data(reliable, junk);
  alice.publisher.peer.send_data(reliable, envelope("chat", "as text"), /*binary=*/false);
  alice.publisher.peer.send_data(reliable, envelope("chat", "after junk"));
  ASSERT_TRUE(run_until([&] { return bob.subscriber.peer.data_received.size() == 2; }));
  auto after = DataPacket::parse(bob.subscriber.peer.data_received[1].bytes);
  ASSERT_TRUE(after);
  EXPECT_EQ(std::string(after->payload().begin(), after->payload().end()), "after junk");
}

TEST_F(RoomTest, DataNeedsTheGrantAndIsRateLimited) {
  make_room();
  ParticipantInfo muted_data;
  muted_data.can_publish_data = false;
  auto& mallory = join("mallory", muted_data);
  auto& bob = join("bob");
  auto [m_reliable, m_lossy] = open_data(mallory);
  open_data(bob);
  mallory.publisher.peer.send_data(m_reliable, envelope("chat", "spam"));
  mallory.publisher.peer.send_data(m_reliable, envelope("chat", "spam"));
  ASSERT_TRUE(run_until([&] { return mallory.sink->count<event::Error>() > 0; }));
  run_for(milliseconds(50));
  EXPECT_EQ(mallory.sink->count<event::Error>(), 1u);  // told once
  EXPECT_EQ(mallory.sink->last<event::Error>().code, "data_not_allowed");
  EXPECT_TRUE(bob.subscriber.peer.data_received.empty());

  // Bob floods mallory: the burst passes, the rest is dropped.
  auto [b_reliable, b_lossy] = open_data(bob);
  (void)b_lossy;
  const TimePoint flood = Clock::now();
  for (int i = 0; i < 400; ++i) bob.publisher.peer.send_data(b_reliable, envelope("chat", "flood"));
  // What the metrics endpoint reports for it.
  RoomCensus census;
  MediaCounters counters;
  const auto count = [&] {
    census = {};
    counters = {};
    room->add_metrics(census, counters);
  };
  // Every message reaches the room and what passed reaches mallory (on a
  // loaded machine SCTP may take longer than the burst lasts).
  ASSERT_TRUE(run_until([&] { return count(), counters.data_received == 402u; }, seconds(20)));
  const double elapsed = std::chrono::duration<double>(Clock::now() - flood).count();
  ASSERT_TRUE(
      run_until([&] { return mallory.subscriber.peer.data_received.size() == counters.data_delivered; }));
  size_t got = mallory.subscriber.peer.data_received.size();
  EXPECT_GE(got, size_t(Participant::kDataMessageBurst));
  // Never more than the bucket allows: the burst and what refilled while the flood arrived.
  EXPECT_LE(got, size_t(Participant::kDataMessageBurst + Participant::kDataMessagesPerSecond * elapsed) + 1);
  EXPECT_LT(got, 400u);
  count();
  EXPECT_EQ(counters.data_dropped_not_allowed, 2u);
  EXPECT_EQ(counters.data_received, 402u);
  EXPECT_EQ(counters.data_delivered, got);
  EXPECT_EQ(counters.data_dropped_rate, 400u - got);
}

TEST_F(RoomTest, UpdatedNameAndMetadataReachEveryone) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  ParticipantInfo hidden;
  hidden.hidden = true;
  join("observer", hidden);
  room->update_participant("alice", std::string("Alice B."), std::nullopt);
  ASSERT_EQ(b.sink->count<event::ParticipantUpdated>(), 1u);
  EXPECT_EQ(b.sink->last<event::ParticipantUpdated>().participant.name, "Alice B.");
  EXPECT_EQ(a.sink->count<event::ParticipantUpdated>(), 1u);  // itself too
  // No change, no event; a hidden participant is never announced.
  room->update_participant("alice", std::string("Alice B."), std::nullopt);
  room->update_participant("observer", std::string("Spy"), std::string("x"));
  room->update_participant("nobody", std::string("x"), std::nullopt);
  EXPECT_EQ(b.sink->count<event::ParticipantUpdated>(), 1u);
  room->update_participant("alice", std::nullopt, std::string(R"({"hand":true})"));
  EXPECT_EQ(b.sink->last<event::ParticipantUpdated>().participant.metadata, R"({"hand":true})");
  // Latecomers see the new values in joined.
  auto& c = join("carol");
  EXPECT_EQ(c.sink->last<event::Joined>().others[0].info.name, "Alice B.");
}

TEST_F(RoomTest, ActiveSpeakers) {
  two_connected();
  bool heard = false;
  uint16_t seq = 0;
  ASSERT_TRUE(run_until(
      [&] {
        a->publisher.peer.send_rtp(audio_packet(kAudioSsrc, seq, 960u * seq, 10, "0"));
        ++seq;
        for (const auto& s : b->sink->all<event::ActiveSpeakers>())
          if (!s.speakers.empty() && s.speakers[0].identity == "alice") heard = true;
        return heard;
      },
      seconds(3)));
}

TEST_F(RoomTest, LostConnectionIsReapedOnTick) {
  RoomOptions options;
  options.consent_timeout = milliseconds(300);
  make_room(options);
  a = &join("alice");
  b = &join("bob");
  // Nobody refreshes consent: alice's and bob's subscriber connections die.
  ASSERT_TRUE(run_until([&] { return room->participant_count() == 0; }, seconds(3)));
  EXPECT_EQ(a->sink->last<event::Removed>().reason, "connection_lost");
  EXPECT_EQ(b->sink->last<event::Removed>().reason, "connection_lost");
}

TEST_F(RoomTest, SendsReceiverReportsAndTransportFeedbackToPublishers) {
  two_connected();
  send_video(1, 30);
  bool rr = false, twcc = false, sr = false;
  ASSERT_TRUE(run_until(
      [&] {
        for (const auto& d : a->publisher.peer.rtcp_received) {
          rtp::RtcpCompound c(d);
          while (auto p = c.next()) {
            if (p->type() == rtp::rtcp_type::kReceiverReport) rr = true;
            if (p->type() == rtp::rtcp_type::kTransportFeedback && p->count() == rtp::rtcp_fmt::kTransportCc)
              twcc = true;
          }
        }
        for (const auto& d : b->subscriber.peer.rtcp_received) {
          rtp::RtcpCompound c(d);
          while (auto p = c.next())
            if (p->type() == rtp::rtcp_type::kSenderReport) sr = true;
        }
        return rr && twcc && sr;
      },
      seconds(3)));
}

}  // namespace
}  // namespace ct::sfu::testing
