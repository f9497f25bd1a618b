// TransportCcFeedbackGenerator: feedback parses back (RtcpTransportCc::parse)
// into the arrivals it was fed, across wrap, loss, reordering and splits.
#include "sfu/TransportCcFeedbackGenerator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpReceiverReport.hpp"

namespace ct::sfu {
namespace {

using rtp::RtcpTransportCc;
using rtp::TransportCcPacket;
const TimePoint t0 = TimePoint{} + seconds(100);

struct Decoded {
  uint16_t sequence_number;
  bool received;
  int64_t arrival_us;  // reference time + deltas, in µs (relative to the first packet)
};

struct Feedback {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  uint8_t count = 0;
  std::vector<Decoded> packets;
};

std::vector<Feedback> parse_all(std::span<const uint8_t> bytes) {
  std::vector<Feedback> result;
  rtp::RtcpCompound compound(bytes);
  std::vector<TransportCcPacket> packets;
  while (auto packet = compound.next()) {
    const auto feedback = RtcpTransportCc::parse(*packet);
    EXPECT_TRUE(feedback);
    if (!feedback) continue;
    Feedback out{feedback->sender_ssrc(), feedback->media_ssrc(), feedback->feedback_packet_count(), {}};
    feedback->packets(packets);
    EXPECT_EQ(packets.front().sequence_number, feedback->base_sequence_number());
    int64_t time_us = int64_t(feedback->reference_time()) * RtcpTransportCc::kReferenceTimeUnitUs;
    for (const TransportCcPacket& p : packets) {
      if (p.received) time_us += int64_t(p.delta) * RtcpTransportCc::kDeltaUnitUs;
      out.packets.push_back({p.sequence_number, p.received, p.received ? time_us : 0});
    }
    result.push_back(out);
  }
  EXPECT_FALSE(compound.malformed());
  return result;
}

// Arrival, floored to the 250 µs resolution of the deltas.
int64_t floored_us(Duration since_first) {
  return std::chrono::duration_cast<microseconds>(since_first).count() / 250 * 250;
}

TEST(TransportCcFeedbackGenerator, NothingBeforeAnyPacket) {
  TransportCcFeedbackGenerator generator(1);
  std::vector<uint8_t> out(1200);
  EXPECT_EQ(generator.build_feedback(out, t0), 0u);
}

TEST(TransportCcFeedbackGenerator, RoundTripsArrivalsAcrossWrapWithLoss) {
  TransportCcFeedbackGenerator generator(0x11111111);
  std::map<uint16_t, Duration> sent;  // sequence number -> arrival after the first
  uint16_t seq = 65530;
  for (int i = 0; i < 20; ++i, ++seq) {
    if (i == 3 || i == 7 || i == 8) continue;  // lost
    const Duration at = microseconds(i * 5300 + (i % 3) * 777);
    generator.on_packet(seq, 0xABCD, t0 + at);
    sent[seq] = at;
  }
  std::vector<uint8_t> out(1200);
  const size_t length = generator.build_feedback(out, t0 + milliseconds(120));
  ASSERT_GT(length, 0u);
  EXPECT_EQ(length % 4, 0u);
  const std::vector<Feedback> feedbacks = parse_all(std::span(out).first(length));
  ASSERT_EQ(feedbacks.size(), 1u);
  EXPECT_EQ(feedbacks[0].sender_ssrc, 0x11111111u);
  EXPECT_EQ(feedbacks[0].media_ssrc, 0xABCDu);
  EXPECT_EQ(feedbacks[0].count, 0);
  ASSERT_EQ(feedbacks[0].packets.size(), 20u);
  EXPECT_EQ(feedbacks[0].packets.front().sequence_number, 65530);
  for (const Decoded& packet : feedbacks[0].packets) {
    const auto it = sent.find(packet.sequence_number);
    ASSERT_EQ(packet.received, it != sent.end()) << packet.sequence_number;
    if (packet.received) {
      EXPECT_EQ(packet.arrival_us, floored_us(it->second)) << packet.sequence_number;
    }
  }
  // Everything was reported: nothing more until new packets come.
  EXPECT_EQ(generator.build_feedback(out, t0 + milliseconds(200)), 0u);
  EXPECT_EQ(generator.feedback_packet_count(), 1);
}

TEST(TransportCcFeedbackGenerator, ReorderedArrivalsGiveNegativeDeltas) {
  TransportCcFeedbackGenerator generator(1);
  generator.on_packet(100, 5, t0);
  generator.on_packet(102, 5, t0 + milliseconds(10));
  generator.on_packet(101, 5, t0 + milliseconds(12));
  generator.on_packet(101, 5, t0 + milliseconds(30));  // a duplicate keeps the first arrival
  std::vector<uint8_t> out(200);
  const size_t length = generator.build_feedback(out, t0 + milliseconds(50));
  const std::vector<Feedback> feedbacks = parse_all(std::span(out).first(length));
  ASSERT_EQ(feedbacks.size(), 1u);
  ASSERT_EQ(feedbacks[0].packets.size(), 3u);
  EXPECT_EQ(feedbacks[0].packets[0].arrival_us, 0);
  EXPECT_EQ(feedbacks[0].packets[1].arrival_us, 12000);
  EXPECT_EQ(feedbacks[0].packets[2].arrival_us, 10000);
}

TEST(TransportCcFeedbackGenerator, ConsecutiveFeedbacksContinueAndCount) {
  TransportCcFeedbackGenerator generator(1);
  std::vector<uint8_t> out(200);
  for (uint16_t seq = 0; seq < 5; ++seq) generator.on_packet(seq, 9, t0 + milliseconds(seq));
  ASSERT_GT(generator.build_feedback(out, t0 + milliseconds(50)), 0u);
  for (uint16_t seq = 5; seq < 10; ++seq) generator.on_packet(seq, 9, t0 + milliseconds(70 + seq));
  generator.on_packet(3, 9, t0 + milliseconds(80));  // late for an already reported number: ignored
  const size_t length = generator.build_feedback(out, t0 + milliseconds(100));
  const std::vector<Feedback> feedbacks = parse_all(std::span(out).first(length));
  ASSERT_EQ(feedbacks.size(), 1u);
  EXPECT_EQ(feedbacks[0].count, 1);
  ASSERT_EQ(feedbacks[0].packets.size(), 5u);
  EXPECT_EQ(feedbacks[0].packets[0].sequence_number, 5);
  EXPECT_EQ(feedbacks[0].packets[0].arrival_us, 75000);
  EXPECT_EQ(feedbacks[0].packets[4].arrival_us, 79000);
}

TEST(TransportCcFeedbackGenerator, SplitsToFitTheBuffer) {
  TransportCcFeedbackGenerator generator(1);
  for (uint16_t seq = 0; seq < 300; ++seq) generator.on_packet(seq, 9, t0 + microseconds(seq * 700));
  std::vector<uint8_t> out(400);  // room for a little under 100 packets per feedback
  std::vector<Decoded> all;
  int rounds = 0;
  while (size_t length = generator.build_feedback(out, t0 + seconds(1))) {
    ++rounds;
    for (const Feedback& feedback : parse_all(std::span(out).first(length))) {
      all.insert(all.end(), feedback.packets.begin(), feedback.packets.end());
    }
    ASSERT_LT(rounds, 10);
  }
  EXPECT_GE(rounds, 1);
  ASSERT_EQ(all.size(), 300u);
  for (uint16_t seq = 0; seq < 300; ++seq) {
    EXPECT_EQ(all[seq].sequence_number, seq);
    EXPECT_TRUE(all[seq].received);
    EXPECT_EQ(all[seq].arrival_us, floored_us(microseconds(seq * 700)));
  }
}

TEST(TransportCcFeedbackGenerator, SeveralFeedbacksInOneBuffer) {
  TransportCcFeedbackGenerator generator(1);
  for (uint16_t seq = 0; seq < 1200; ++seq) generator.on_packet(seq, 9, t0 + microseconds(seq * 100));
  std::vector<uint8_t> out(6000);
  const size_t length = generator.build_feedback(out, t0 + seconds(1));
  const std::vector<Feedback> feedbacks = parse_all(std::span(out).first(length));
  ASSERT_EQ(feedbacks.size(), 3u);  // 512 per feedback at most
  EXPECT_EQ(feedbacks[1].count, 1);
  EXPECT_EQ(feedbacks[2].count, 2);
  EXPECT_EQ(feedbacks[2].packets.back().sequence_number, 1199);
  EXPECT_EQ(feedbacks[2].packets.back().arrival_us, floored_us(microseconds(1199 * 100)));
}

TEST(TransportCcFeedbackGenerator, LongPauseStartsANewReference) {
  TransportCcFeedbackGenerator generator(1);
  generator.on_packet(1, 9, t0);
  generator.on_packet(2, 9, t0 + seconds(10));  // beyond a 16-bit delta (8.19 s)
  std::vector<uint8_t> out(200);
  const size_t length = generator.build_feedback(out, t0 + seconds(10));
  const std::vector<Feedback> feedbacks = parse_all(std::span(out).first(length));
  ASSERT_EQ(feedbacks.size(), 2u);
  EXPECT_EQ(feedbacks[0].packets[0].arrival_us, 0);
  EXPECT_EQ(feedbacks[1].packets[0].sequence_number, 2);
  EXPECT_EQ(feedbacks[1].packets[0].arrival_us, 10'000'000);
}

TEST(TransportCcFeedbackGenerator, TooSmallBufferWritesNothing) {
  TransportCcFeedbackGenerator generator(1);
  generator.on_packet(1, 9, t0);
  std::vector<uint8_t> out(20);
  EXPECT_EQ(generator.build_feedback(out, t0), 0u);
  out.resize(100);
  EXPECT_GT(generator.build_feedback(out, t0), 0u);  // kept for the next call
}

TEST(TransportCcFeedbackGenerator, LongOutageReportsOnlyTheWindow) {
  TransportCcFeedbackGenerator generator(1);
  generator.on_packet(0, 9, t0);
  generator.on_packet(10000, 9, t0 + milliseconds(10));  // a jump beyond the window
  std::vector<uint8_t> out(20000);
  const size_t length = generator.build_feedback(out, t0 + milliseconds(10));
  size_t statuses = 0;
  for (const Feedback& feedback : parse_all(std::span(out).first(length))) statuses += feedback.packets.size();
  EXPECT_EQ(statuses, TransportCcFeedbackGenerator::kWindow);
}

// A call goes on past many laps of the arrival ring: each packet is
// reported with its own arrival, never that of the packet a lap before it
// (which put a minutes-long call's arrivals kWindow packets in the past and
// made the sender's estimator take them for reordering and cut its rate).
TEST(TransportCcFeedbackGenerator, ArrivalsStayTheirOwnPastManyLapsOfTheWindow) {
  TransportCcFeedbackGenerator generator(1);
  // Three laps and more, in whole feedbacks of 25 packets.
  constexpr size_t kPackets = 3 * TransportCcFeedbackGenerator::kWindow + 512;
  constexpr Duration kSpacing = microseconds(4000);  // 250 packets a second
  std::vector<uint8_t> out(1200);
  int64_t reference_us = -1;  // the decoded arrival of the first packet
  size_t checked = 0;
  uint16_t seq = 60000;  // the 16-bit numbers wrap on the way
  for (size_t i = 0; i < kPackets; ++i, ++seq) {
    generator.on_packet(seq, 9, t0 + kSpacing * int64_t(i));
    if (i % 25 != 24) continue;  // a feedback every 100 ms
    const size_t length = generator.build_feedback(out, t0 + kSpacing * int64_t(i));
    for (const Feedback& feedback : parse_all(std::span(out).first(length))) {
      for (const Decoded& packet : feedback.packets) {
        ASSERT_TRUE(packet.received) << packet.sequence_number;
        const size_t index = size_t(uint16_t(packet.sequence_number - 60000));
        if (reference_us < 0) reference_us = packet.arrival_us;
        ASSERT_EQ(packet.arrival_us - reference_us, floored_us(kSpacing * int64_t(index)))
            << "packet " << index << " of " << kPackets;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, kPackets);
}

TEST(TransportCcFeedbackGenerator, NoPaddingBitSoAnyPacketMayFollow) {
  TransportCcFeedbackGenerator generator(1);
  for (uint16_t seq = 0; seq < 700; seq += 1 + seq % 3) generator.on_packet(seq, 9, t0 + microseconds(seq * 300));
  std::vector<uint8_t> out(4000);
  size_t length = generator.build_feedback(out, t0 + seconds(1));
  ASSERT_GT(length, 0u);
  const size_t rr =
      rtp::RtcpReceiverReport::build(std::span(out).subspan(length), 1, std::span<const rtp::RtcpReportBlock>());
  ASSERT_GT(rr, 0u);
  length += rr;
  EXPECT_TRUE(rtp::RtcpCompound::validate(std::span(out).first(length)));
  rtp::RtcpCompound compound{std::span(out).first(length)};
  size_t feedbacks = 0;
  while (auto packet = compound.next()) {
    EXPECT_FALSE(packet->has_padding());
    feedbacks += RtcpTransportCc::parse(*packet).has_value();
  }
  EXPECT_EQ(feedbacks, 2u);
}

}  // namespace
}  // namespace ct::sfu
