// Send-side bandwidth estimation on subscriber connections: what the offer
// negotiates, the transport-wide numbers on every packet the subscriber
// receives (media, RTX, audio), and the browser's transport-cc feedback
// reaching the estimator (seen where an operator sees it: the metrics).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "RoomTestSupport.hpp"
#include "rtp/RtcpTransportCc.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/Rtx.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/RtpStreamRewriter.hpp"
#include "sfu/Subscription.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kAudioSsrc = 0x0a0a0a0a, kVideoSsrc = 0x0b0b0b0b, kRtxSsrc = 0x0c0c0c0c;
constexpr uint8_t kOurTransportCc = subscriber_extension_id::kTransportCc;

const TrackInfo* track_of_kind(const std::vector<TrackInfo>& tracks, std::string_view kind) {
  for (const auto& t : tracks)
    if (t.kind == kind) return &t;
  return nullptr;
}

// Every packet the subscriber received, in order, with its transport-wide number.
struct Received {
  uint32_t ssrc = 0;
  std::optional<uint16_t> transport_sequence_number;
  bool padding_only = false;  // a probe
};

class SubscriberBandwidthEstimationTest : public RoomFixture {
 protected:
  // A publishes audio+video, B subscribes; `answer_edit` may change B's answer.
  void two_connected(RoomOptions options = {}, std::function<void(std::string&)> answer_edit = {}) {
    make_room(options);
    a = &join("alice");
    b = &join("bob");
    room->publisher_offer(a->identity, publisher_offer_sdp(a->publisher.peer, tracks()), {}, Clock::now());
    take_remote(a->publisher.peer, a->sink->last<event::PublisherAnswer>().sdp);
    a->publisher.peer.send_check();
    ASSERT_TRUE(run_until([&] { return a->publisher.peer.connected(); }));
    offer = b->sink->last<event::SubscriberOffer>();
    std::string answer = subscriber_answer_sdp(b->subscriber.peer, offer.sdp);
    if (answer_edit) answer_edit(answer);
    room->subscriber_answer(b->identity, answer);
    const TrackInfo* video = track_of_kind(offer.tracks, "video");
    ASSERT_TRUE(video);
    std::tie(sub_video_ssrc, sub_rtx_ssrc) = offered_ssrcs(offer.sdp, video->mid);
    sub_audio_ssrc = offered_ssrcs(offer.sdp, track_of_kind(offer.tracks, "audio")->mid).first;
    ASSERT_NE(sub_rtx_ssrc, 0u);
  }
  static std::vector<Track> tracks() {
    return {Track{"0", false, kAudioSsrc, 0}, Track{"1", true, kVideoSsrc, kRtxSsrc}};
  }

  // Video (with the publisher's transport-cc element) and audio (without one), interleaved.
  void send_media(int count) {
    for (int i = 0; i < count; ++i) {
      a->publisher.peer.send_rtp(video_packet(kVideoSsrc, uint16_t(video_seq_), 3000u * video_seq_,
                                              uint16_t(9000 + video_seq_), "1"));
      ++video_seq_;
      a->publisher.peer.send_rtp(audio_packet(kAudioSsrc, uint16_t(audio_seq_), 960u * audio_seq_, 30, "0"));
      ++audio_seq_;
    }
  }

  std::vector<Received> received() {
    std::vector<Received> out;
    for (auto& bytes : b->subscriber.peer.rtp_received) {
      auto p = rtp::RtpPacket::parse(bytes);
      if (!p) continue;
      out.push_back({p->ssrc(), rtp::read_transport_sequence_number(p->find_extension(kOurTransportCc)),
                     p->payload().empty()});
    }
    return out;
  }

  MediaCounters counters() {
    RoomCensus census;
    MediaCounters c;
    room->add_metrics(census, c);
    return c;
  }

  // A feedback as Chromium sends it: every number from `first` to `last`, received 1 ms apart.
  std::vector<uint8_t> feedback(uint16_t first, uint16_t last, uint8_t count) {
    std::vector<rtp::TransportCcPacket> packets;
    for (uint16_t s = first;; ++s) {
      packets.push_back({s, true, s == first ? 0 : 4});
      if (s == last) break;
    }
    std::vector<uint8_t> out(rtp::RtcpTransportCc::max_size(packets.size()));
    out.resize(rtp::RtcpTransportCc::build(out, 1, sub_video_ssrc, 100 + count, count, packets));
    return out;
  }

  Browser* a = nullptr;
  Browser* b = nullptr;
  event::SubscriberOffer offer;
  uint32_t sub_video_ssrc = 0, sub_rtx_ssrc = 0, sub_audio_ssrc = 0;
  int video_seq_ = 100, audio_seq_ = 500;
};

TEST_F(SubscriberBandwidthEstimationTest, EveryPacketCarriesTheNextTransportWideNumberAudioAndRtxToo) {
  two_connected();
  send_media(20);
  ASSERT_TRUE(run_until([&] { return received().size() >= 40; }));
  // A NACK for two video packets: their RTX copies are numbered as well.
  std::vector<uint16_t> video_numbers;
  for (auto& bytes : b->subscriber.peer.rtp_received) {
    auto p = rtp::RtpPacket::parse(bytes);
    if (p && p->ssrc() == sub_video_ssrc) video_numbers.push_back(p->sequence_number());
  }
  ASSERT_GE(video_numbers.size(), 5u);
  std::array<uint8_t, 64> nack;
  const std::vector<uint16_t> lost = {video_numbers[2], video_numbers[4]};
  size_t n = rtp::RtcpNack::build(nack, 1, sub_video_ssrc, lost);
  b->subscriber.peer.send_rtcp(std::span(nack.data(), n));
  ASSERT_TRUE(run_until([&] {
    auto r = received();
    return std::count_if(r.begin(), r.end(),
                         [&](const Received& x) { return x.ssrc == sub_rtx_ssrc && !x.padding_only; }) == 2;
  }));
  run_for(milliseconds(100));  // probes still on their way

  auto r = received();
  std::map<uint32_t, size_t> per_stream;
  for (size_t i = 0; i < r.size(); ++i) {
    ASSERT_TRUE(r[i].transport_sequence_number) << "packet " << i << " ssrc " << r[i].ssrc;
    if (!r[i].padding_only) ++per_stream[r[i].ssrc];
    // One numbering for the whole connection, in the order the packets left.
    if (i > 0) {
      EXPECT_EQ(*r[i].transport_sequence_number, uint16_t(*r[i - 1].transport_sequence_number + 1));
    }
  }
  EXPECT_EQ(per_stream[sub_video_ssrc], 20u);
  EXPECT_EQ(per_stream[sub_audio_ssrc], 20u);
  EXPECT_EQ(per_stream[sub_rtx_ssrc], 2u);
  // Audio got the element added: its audio level and payload are intact.
  for (auto& bytes : b->subscriber.peer.rtp_received) {
    auto p = rtp::RtpPacket::parse(bytes);
    if (!p || p->ssrc() != sub_audio_ssrc) continue;
    auto level = rtp::read_audio_level(p->find_extension(subscriber_extension_id::kAudioLevel));
    ASSERT_TRUE(level);
    EXPECT_EQ(level->level, 30);
    ASSERT_EQ(p->payload().size(), 60u);
    EXPECT_EQ(p->payload()[59], 0x5a);
  }
  EXPECT_EQ(counters().bwe_packets_sent, r.size());
}

TEST_F(SubscriberBandwidthEstimationTest, FeedbackReachesTheEstimatorAndMalformedFeedbackIsCounted) {
  two_connected();
  EXPECT_EQ(counters().estimates, 0u);  // no estimate before the first feedback
  send_media(30);
  ASSERT_TRUE(run_until([&] { return received().size() >= 60; }));
  run_for(milliseconds(100));  // probes still on their way
  auto r = received();
  const uint16_t first = *r.front().transport_sequence_number;
  const uint16_t last = *r.back().transport_sequence_number;
  const uint64_t count = uint16_t(last - first) + 1u;
  auto fb = feedback(first, uint16_t(last - 5), 0);  // the last 6 not reported yet
  ASSERT_FALSE(fb.empty());
  b->subscriber.peer.send_rtcp(fb);
  ASSERT_TRUE(run_until([&] { return counters().bwe_feedbacks == 1; }));
  MediaCounters c = counters();
  EXPECT_EQ(c.bwe_packets_acked, count - 5);
  EXPECT_EQ(c.bwe_packets_lost, 0u);
  ASSERT_EQ(c.estimates, 1u);
  EXPECT_GE(c.estimate_sum_bps, 100'000u);  // the configured floor
  EXPECT_EQ(std::accumulate(c.estimate_buckets.begin(), c.estimate_buckets.end(), uint64_t{0}), 1u);
  // The participant is told its estimate.
  ASSERT_TRUE(run_until([&] { return b->sink->count<event::BandwidthEstimate>() == 1; }));
  EXPECT_EQ(b->sink->last<event::BandwidthEstimate>().estimate_bps, c.estimate_sum_bps);
  EXPECT_EQ(a->sink->count<event::BandwidthEstimate>(), 0u);  // alice receives nothing

  // A feedback whose chunks say more packets than it has deltas for.
  std::vector<uint8_t> broken = fb;
  broken.resize(20);
  broken[0] &= 0xDF;  // no padding
  broken[3] = 4;      // length: 5 words, the fixed fields only
  b->subscriber.peer.send_rtcp(broken);
  ASSERT_TRUE(run_until([&] { return counters().bwe_feedbacks_malformed == 1; }));
  EXPECT_EQ(counters().bwe_feedbacks, 1u);

  // The rest, with one reported lost.
  std::vector<rtp::TransportCcPacket> rest;
  for (uint16_t s = uint16_t(last - 4);; ++s) {
    rest.push_back({s, s != last, s != last ? 4 : 0});
    if (s == last) break;
  }
  std::vector<uint8_t> out(rtp::RtcpTransportCc::max_size(rest.size()));
  out.resize(rtp::RtcpTransportCc::build(out, 1, sub_video_ssrc, 102, 1, rest));
  b->subscriber.peer.send_rtcp(out);
  ASSERT_TRUE(run_until([&] { return counters().bwe_feedbacks == 2; }));
  EXPECT_EQ(counters().bwe_packets_acked, count - 1);
  EXPECT_EQ(counters().bwe_packets_lost, 1u);
  // Within a second of the last one, no second message.
  EXPECT_EQ(b->sink->count<event::BandwidthEstimate>(), 1u);
}

TEST_F(SubscriberBandwidthEstimationTest, ProbesArePaddingOnlyRtxPacketsWithinThePlan) {
  two_connected();
  send_media(10);
  // The estimator's start clusters (2x and 4x the 1 Mbit/s start rate) go
  // out as padding once media flows.
  auto probe_bytes = [&] {
    size_t bytes = 0;
    for (auto& raw : b->subscriber.peer.rtp_received) {
      auto p = rtp::RtpPacket::parse(raw);
      if (p && p->ssrc() == sub_rtx_ssrc && p->payload().empty()) bytes += p->size();
    }
    return bytes;
  };
  const size_t planned = 2'000'000 * 15 / 8 / 1000 + 4'000'000 * 15 / 8 / 1000;  // 15 ms each
  ASSERT_TRUE(run_until([&] { return counters().bwe_probe_clusters_sent == 2; }));
  run_for(milliseconds(50));
  EXPECT_EQ(counters().bwe_probe_clusters_sent, 2u);
  size_t packets = 0;
  std::optional<uint16_t> previous_rtx;
  for (auto& raw : b->subscriber.peer.rtp_received) {
    auto p = rtp::RtpPacket::parse(raw);
    ASSERT_TRUE(p);
    if (p->ssrc() != sub_rtx_ssrc) continue;
    ++packets;
    EXPECT_EQ(p->payload_type(), subscriber_pt::kVp8Rtx);
    EXPECT_TRUE(p->has_padding());
    EXPECT_TRUE(p->payload().empty());
    EXPECT_FALSE(rtp::rtx_original_sequence_number(*p));  // nothing to repair
    EXPECT_TRUE(rtp::read_transport_sequence_number(p->find_extension(kOurTransportCc)));
    if (previous_rtx) {
      EXPECT_EQ(p->sequence_number(), uint16_t(*previous_rtx + 1));
    }
    previous_rtx = p->sequence_number();
  }
  EXPECT_GE(packets, 10u);  // at least 5 per cluster
  // Never more than the plan: each cluster stops at its bytes, one packet over at most.
  EXPECT_GE(probe_bytes(), planned);
  EXPECT_LE(probe_bytes(), planned + 2 * (12 + 8 + 255));
}

TEST_F(SubscriberBandwidthEstimationTest, AudioOnlyConnectionsAreNeverProbed) {
  make_room();
  a = &join("alice");
  b = &join("bob");
  room->publisher_offer(a->identity, publisher_offer_sdp(a->publisher.peer, {tracks()[0]}), {}, Clock::now());
  take_remote(a->publisher.peer, a->sink->last<event::PublisherAnswer>().sdp);
  a->publisher.peer.send_check();
  ASSERT_TRUE(run_until([&] { return a->publisher.peer.connected(); }));
  answer_offer(*b);
  for (int i = 0; i < 20; ++i)
    a->publisher.peer.send_rtp(audio_packet(kAudioSsrc, uint16_t(i), 960u * i, 30, "0"));
  ASSERT_TRUE(run_until([&] { return received().size() >= 20; }));
  run_for(milliseconds(100));
  EXPECT_EQ(received().size(), 20u);
  EXPECT_EQ(counters().bwe_probe_clusters_sent, 0u);
}

TEST_F(SubscriberBandwidthEstimationTest, AnAnswerWithoutTheExtensionGetsNoNumbers) {
  two_connected({}, [](std::string& answer) {
    for (size_t at; (at = answer.find("a=extmap:4 ")) != std::string::npos;)
      answer.erase(at, answer.find("\r\n", at) + 2 - at);
  });
  send_media(10);
  ASSERT_TRUE(run_until([&] { return received().size() >= 20; }));
  for (const auto& r : received()) EXPECT_FALSE(r.transport_sequence_number) << r.ssrc;
  EXPECT_EQ(counters().bwe_packets_sent, 0u);
}

TEST_F(SubscriberBandwidthEstimationTest, TurnedOffNothingIsOfferedOrNumbered) {
  RoomOptions options;
  options.subscriber_bwe = false;
  two_connected(options);
  EXPECT_EQ(offer.sdp.find("transport-wide-cc"), std::string::npos);
  EXPECT_EQ(offer.sdp.find("transport-cc"), std::string::npos);
  send_media(10);
  ASSERT_TRUE(run_until([&] { return received().size() >= 20; }));
  for (const auto& r : received()) EXPECT_FALSE(r.transport_sequence_number) << r.ssrc;
}

}  // namespace
}  // namespace ct::sfu::testing
