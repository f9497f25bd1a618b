// The round trip of a publisher connection, where the server only receives:
// it sends RTCP XR RRTR blocks with its RRs, and the browser's DLRR answers
// (RFC 3611 §4.4, §4.5) pace NACKs and count in connection quality, for a
// participant who publishes without subscribing too.
#include <algorithm>

#include "RoomTestSupport.hpp"
#include "rtp/RtcpXr.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/SenderReportGenerator.hpp"

namespace ct::sfu::testing {
namespace {

constexpr uint32_t kVideoSsrc = 0x0b0b0b0b, kRtxSsrc = 0x0c0c0c0c;

class RoomPublisherRoundTripTest : public RoomFixture {
 protected:
  // Alice may publish but not subscribe; bob watches.
  void publish_only_alice() {
    make_room(options);
    ParticipantInfo info;
    info.can_subscribe = false;
    alice = &join("alice", info);
    bob = &join("bob");
    publish(*alice, {Track{"0", true, kVideoSsrc, kRtxSsrc}});
    answer_offer(*bob);
  }

  // The SSRC of the server's RRTRs to alice, once one has arrived.
  uint32_t server_rrtr_ssrc() {
    uint32_t ssrc = 0;
    EXPECT_TRUE(run_until([&] {
      for (const auto& d : alice->publisher.peer.rtcp_received) {
        rtp::RtcpCompound c(d);
        while (auto p = c.next())
          if (auto xr = rtp::RtcpXr::parse(*p); xr && xr->rrtr()) ssrc = xr->sender_ssrc();
      }
      return ssrc != 0;
    })) << "no RRTR from the server";
    return ssrc;
  }

  // Alice's browser answers with a DLRR whose round trip is `rtt`.
  void answer_with_round_trip(uint32_t server_ssrc, Duration rtt) {
    rtp::RtcpDlrrItem item;
    item.ssrc = server_ssrc;
    item.last_rr = uint32_t(SenderReportGenerator::to_ntp(std::chrono::system_clock::now() - rtt) >> 16);
    std::vector<uint8_t> xr(rtp::RtcpXr::dlrr_size(1));
    xr.resize(rtp::RtcpXr::build_dlrr(xr, kVideoSsrc, std::span(&item, 1)));
    alice->publisher.peer.send_rtcp(xr);
  }

  void send_video(uint16_t first_seq, int count, uint32_t first_ts) {
    for (int i = 0; i < count; ++i)
      alice->publisher.peer.send_rtp(
          video_packet(kVideoSsrc, uint16_t(first_seq + i), first_ts + 3000u * i, uint16_t(twcc_++), "0"));
  }

  size_t times_nacked(uint16_t seq) {
    size_t count = 0;
    for (const auto& d : alice->publisher.peer.rtcp_received) {
      rtp::RtcpCompound c(d);
      while (auto p = c.next()) {
        auto nack = rtp::RtcpNack::parse(*p);
        if (!nack || nack->media_ssrc() != kVideoSsrc) continue;
        nack->for_each_lost([&](uint16_t lost) { count += lost == seq; });
      }
    }
    return count;
  }

  RoomOptions options;
  Browser* alice = nullptr;
  Browser* bob = nullptr;
  int twcc_ = 1;
};

std::string quality_of(const std::vector<event::ConnectionQuality>& updates, const std::string& identity) {
  std::string last;
  for (const auto& u : updates)
    for (const auto& q : u.updates)
      if (q.identity == identity) last = q.quality;
  return last;
}

TEST_F(RoomPublisherRoundTripTest, NacksArePacedByTheRoundTripMeasuredWithXr) {
  MediaCounters totals;
  options.totals = &totals;
  publish_only_alice();
  answer_with_round_trip(server_rrtr_ssrc(), milliseconds(300));
  RoomCensus census;
  MediaCounters live;
  ASSERT_TRUE(run_until([&] {
    live = MediaCounters{};
    room->add_metrics(census, live);
    return live.publisher_round_trips == 1;
  }));
  EXPECT_NEAR(double(live.publisher_round_trip_us) / 1000, 300, 30);
  EXPECT_EQ(live.subscriber_round_trips, 0u);

  // 3005 is lost on the way in: NACKed once, then not again within the 300 ms round trip.
  send_video(3000, 5, 1000);
  send_video(3006, 3, 1000 + 3000 * 6);
  ASSERT_TRUE(run_until([&] { return times_nacked(3005) >= 1; }));
  run_for(milliseconds(200));
  EXPECT_EQ(times_nacked(3005), 1u);
  ASSERT_TRUE(run_until([&] { return times_nacked(3005) >= 2; }, milliseconds(400)));

  room.reset();  // what alice's connection counted moves to the totals
  EXPECT_EQ(totals.publisher_round_trips, 1u);
}

TEST_F(RoomPublisherRoundTripTest, ALongRoundTripMakesAPublishOnlyParticipantPoor) {
  publish_only_alice();
  const uint32_t server_ssrc = server_rrtr_ssrc();
  uint16_t seq = 100;
  TimePoint next_packet{}, next_answer{};
  // Alice keeps sending (silence would be "lost") and answering the server's RRTRs.
  auto alice_runs = [&](Duration rtt) {
    auto now = Clock::now();
    if (now >= next_packet) {
      send_video(seq, 1, 3000u * seq);
      ++seq;
      next_packet = now + milliseconds(20);
    }
    if (now >= next_answer) {
      answer_with_round_trip(server_ssrc, rtt);
      next_answer = now + milliseconds(500);
    }
  };
  ASSERT_TRUE(run_until(
      [&] {
        alice_runs(milliseconds(5));
        return quality_of(bob->sink->all<event::ConnectionQuality>(), "alice") == "excellent";
      },
      seconds(5)));
  // 700 ms is over the 600 ms a good connection may take (docs/protocol.md).
  ASSERT_TRUE(run_until(
      [&] {
        alice_runs(milliseconds(700));
        return quality_of(bob->sink->all<event::ConnectionQuality>(), "alice") == "poor";
      },
      seconds(5)));
}

}  // namespace
}  // namespace ct::sfu::testing
