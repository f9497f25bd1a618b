// ReceiveStreamStats: RFC 3550 A.1/A.3/A.8 arithmetic against hand-computed
// values, wrap-around, reordering, duplicates, and the NACK schedule.
#include "sfu/ReceiveStreamStats.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ct::sfu {
namespace {

using Seqs = std::vector<uint16_t>;
const TimePoint t0 = TimePoint{} + seconds(100);

// Packets every 20 ms at 90 kHz, no jitter.
void feed(ReceiveStreamStats& stats, uint16_t first, uint16_t count, TimePoint start = t0) {
  for (uint16_t i = 0; i < count; ++i) {
    stats.on_packet(uint16_t(first + i), uint32_t(i) * 1800, start + milliseconds(20) * i, 100);
  }
}

Seqs nacks(ReceiveStreamStats& stats, TimePoint now) {
  Seqs out;
  stats.collect_nacks(now, out);
  return out;
}

TEST(ReceiveStreamStats, HandComputedReportBlock) {
  ReceiveStreamStats stats(90000);
  // seq, RTP timestamp, arrival. 102 is lost; 103 arrives 10 ms (900 units) late.
  stats.on_packet(100, 0, t0, 10);
  stats.on_packet(101, 1800, t0 + milliseconds(20), 10);
  stats.on_packet(103, 5400, t0 + milliseconds(70), 10);
  stats.on_packet(104, 7200, t0 + milliseconds(80), 10);
  // A.8 with transits 0, 0, 900, 0: J = 0 + (900 - 0)/16 = 56.25, then
  // 56.25 + (900 - 56.25)/16 = 108.984375.
  EXPECT_DOUBLE_EQ(stats.jitter(), 108.984375);
  stats.on_sender_report(0x0123456789ABCDEFull, t0 + milliseconds(100));

  const rtp::RtcpReportBlock block = stats.make_report_block(0xAABBCCDD, t0 + milliseconds(1600));
  EXPECT_EQ(block.ssrc, 0xAABBCCDDu);
  // A.3: expected 5, received 4: fraction (1 << 8) / 5 = 51.
  EXPECT_EQ(block.fraction_lost, 51);
  EXPECT_EQ(block.cumulative_lost, 1);
  EXPECT_EQ(block.extended_highest_sequence, 104u);
  EXPECT_EQ(block.jitter, 108u);
  EXPECT_EQ(block.last_sr, 0x456789ABu);
  EXPECT_EQ(block.delay_since_last_sr, 98304u);  // 1.5 s in 1/65536 s
  EXPECT_DOUBLE_EQ(stats.loss_fraction(), 0.2);
  EXPECT_EQ(stats.packets_received(), 4u);
  EXPECT_EQ(stats.bytes_received(), 40u);

  // Next interval: 105..108 arrive and 102 is retransmitted. Expected 4,
  // received 5: a negative interval loss reports 0.
  stats.on_packet(102, 3600, t0 + milliseconds(200));
  for (uint16_t seq = 105; seq <= 108; ++seq) {
    stats.on_packet(seq, uint32_t(seq - 100) * 1800, t0 + milliseconds(20) * (seq - 100) + milliseconds(140));
  }
  const rtp::RtcpReportBlock second = stats.make_report_block(0xAABBCCDD, t0 + seconds(2));
  EXPECT_EQ(second.fraction_lost, 0);
  EXPECT_EQ(second.cumulative_lost, 0);
  EXPECT_EQ(second.extended_highest_sequence, 108u);
  EXPECT_EQ(stats.loss_fraction(), 0.0);
}

TEST(ReceiveStreamStats, NoSenderReportMeansZeroLsr) {
  ReceiveStreamStats stats(90000);
  feed(stats, 1, 3);
  const rtp::RtcpReportBlock block = stats.make_report_block(1, t0 + seconds(1));
  EXPECT_EQ(block.last_sr, 0u);
  EXPECT_EQ(block.delay_since_last_sr, 0u);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.jitter, 0u);
}

TEST(ReceiveStreamStats, EmptyStreamReportsNothing) {
  ReceiveStreamStats stats(90000);
  const rtp::RtcpReportBlock block = stats.make_report_block(7, t0);
  EXPECT_EQ(block, (rtp::RtcpReportBlock{7, 0, 0, 0, 0, 0, 0}));
}

TEST(ReceiveStreamStats, ExtendedSequenceAcrossWrap) {
  ReceiveStreamStats stats(90000);
  feed(stats, 65530, 12);  // 65530 .. 5
  const rtp::RtcpReportBlock block = stats.make_report_block(1, t0 + seconds(1));
  EXPECT_EQ(block.extended_highest_sequence, 0x10005u);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.fraction_lost, 0);
}

TEST(ReceiveStreamStats, ReorderingAcrossWrapIsNotLoss) {
  ReceiveStreamStats stats(90000);
  for (uint16_t seq : {65533, 65534, 0, 1, 65535, 2}) stats.on_packet(seq, 0, t0);
  const rtp::RtcpReportBlock block = stats.make_report_block(1, t0);
  EXPECT_EQ(block.extended_highest_sequence, 0x10002u);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(stats.duplicates(), 0u);
  EXPECT_TRUE(nacks(stats, t0).empty());  // 65535 came before any NACK round
}

TEST(ReceiveStreamStats, PacketBeforeTheFirstExtendsTheRange) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(0, 0, t0);
  stats.on_packet(1, 0, t0);
  stats.on_packet(65535, 0, t0);  // sent before 0, arrived after it
  const rtp::RtcpReportBlock block = stats.make_report_block(1, t0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.extended_highest_sequence, 1u);
}

TEST(ReceiveStreamStats, StrayFromLongBeforeTheFirstIsIgnored) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(5000, 0, t0);
  stats.on_packet(3000, 0, t0);  // 2000 before the first: not part of this range
  stats.on_packet(5001, 0, t0);
  const rtp::RtcpReportBlock block = stats.make_report_block(1, t0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.extended_highest_sequence, 5001u);
}

TEST(ReceiveStreamStats, DuplicatesAreNotCounted) {
  ReceiveStreamStats stats(90000);
  for (uint16_t seq : {10, 11, 11, 12, 10, 12}) stats.on_packet(seq, 0, t0, 50);
  EXPECT_EQ(stats.duplicates(), 3u);
  EXPECT_EQ(stats.packets_received(), 6u);
  EXPECT_EQ(stats.bytes_received(), 300u);
  const rtp::RtcpReportBlock block = stats.make_report_block(1, t0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.extended_highest_sequence, 12u);
}

TEST(ReceiveStreamStats, LossPatternsAcrossIntervals) {
  ReceiveStreamStats stats(90000);
  // Interval 1: 0..99 with every 10th lost: 10 of 100.
  for (uint16_t seq = 0; seq < 100; ++seq) {
    if (seq % 10 != 5) stats.on_packet(seq, 0, t0);
  }
  rtp::RtcpReportBlock block = stats.make_report_block(1, t0);
  EXPECT_EQ(block.fraction_lost, (10 << 8) / 100);  // 25
  EXPECT_EQ(block.cumulative_lost, 10);
  EXPECT_DOUBLE_EQ(stats.loss_fraction(), 0.1);
  // Interval 2: a burst, 100..199 with 150..199 lost except 199.
  for (uint16_t seq = 100; seq < 150; ++seq) stats.on_packet(seq, 0, t0);
  stats.on_packet(199, 0, t0);
  block = stats.make_report_block(1, t0);
  EXPECT_EQ(block.fraction_lost, (49 << 8) / 100);  // 125
  EXPECT_EQ(block.cumulative_lost, 59);
  // Interval 3: nothing arrived: fraction 0, not a division by zero.
  block = stats.make_report_block(1, t0);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 59);
}

TEST(ReceiveStreamStats, FractionLostOfOneInTen) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(0, 0, t0);
  stats.make_report_block(1, t0);
  stats.on_packet(10, 0, t0);  // 9 lost, 1 received of 10
  EXPECT_EQ(stats.make_report_block(1, t0).fraction_lost, (9 << 8) / 10);
}

TEST(ReceiveStreamStats, LargeJumpNeedsTwoSequentialPackets) {
  ReceiveStreamStats stats(90000);
  feed(stats, 100, 10);  // 100..109
  stats.on_packet(20000, 0, t0 + seconds(1));  // a stray: ignored (A.1)
  stats.on_packet(110, 0, t0 + seconds(1));
  rtp::RtcpReportBlock block = stats.make_report_block(1, t0 + seconds(1));
  EXPECT_EQ(block.extended_highest_sequence, 110u);
  EXPECT_EQ(block.cumulative_lost, 0);
  // The source restarts its sequence: two sequential packets resync.
  stats.on_packet(40000, 0, t0 + seconds(2));
  stats.on_packet(40001, 0, t0 + seconds(2));
  stats.on_packet(40002, 0, t0 + seconds(2));
  block = stats.make_report_block(1, t0 + seconds(2));
  EXPECT_EQ(block.extended_highest_sequence, 40002u);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_TRUE(nacks(stats, t0 + seconds(2)).empty());
}

TEST(ReceiveStreamStats, JitterIgnoresLatePackets) {
  ReceiveStreamStats stats(90000);
  feed(stats, 0, 5);
  stats.on_packet(7, 7 * 1800, t0 + milliseconds(140));
  // 5 and 6 retransmitted much later: no jitter from them.
  stats.on_packet(5, 5 * 1800, t0 + milliseconds(500));
  stats.on_packet(6, 6 * 1800, t0 + milliseconds(510));
  EXPECT_EQ(stats.jitter(), 0.0);
}

TEST(ReceiveStreamStats, JitterOfConstantOffsetIsZeroAndSteadyAlternationConverges) {
  ReceiveStreamStats stats(8000);
  // Alternate arrivals 0 and +5 ms: |D| = 40 units each step; J tends to 40.
  for (uint16_t i = 0; i < 400; ++i) {
    const Duration skew = (i % 2) ? milliseconds(5) : Duration::zero();
    stats.on_packet(i, uint32_t(i) * 160, t0 + milliseconds(20) * i + skew);
  }
  EXPECT_NEAR(stats.jitter(), 40.0, 0.01);
}

TEST(ReceiveStreamStats, NacksRetryAtTheRttAndStopOnArrival) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(10, 0, t0);
  stats.on_packet(13, 0, t0);
  EXPECT_EQ(stats.pending_nacks(), 2u);
  EXPECT_EQ(nacks(stats, t0), (Seqs{11, 12}));
  EXPECT_TRUE(nacks(stats, t0 + milliseconds(19)).empty());  // 20 ms floor
  EXPECT_EQ(nacks(stats, t0 + milliseconds(20)), (Seqs{11, 12}));
  stats.set_rtt(milliseconds(100));
  EXPECT_TRUE(nacks(stats, t0 + milliseconds(60)).empty());
  stats.on_packet(11, 0, t0 + milliseconds(80));  // the retransmission
  EXPECT_EQ(nacks(stats, t0 + milliseconds(120)), (Seqs{12}));
  EXPECT_EQ(stats.pending_nacks(), 1u);
}

TEST(ReceiveStreamStats, NackAcrossWrap) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(65533, 0, t0);
  stats.on_packet(65534, 0, t0);
  stats.on_packet(2, 0, t0);
  EXPECT_EQ(nacks(stats, t0), (Seqs{65535, 0, 1}));
}

TEST(ReceiveStreamStats, NackGivesUpAfterTenTries) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(1, 0, t0);
  stats.on_packet(3, 0, t0);
  int sent = 0;
  for (int i = 0; i < 40; ++i) sent += int(nacks(stats, t0 + milliseconds(20) * i).size());
  EXPECT_EQ(sent, ReceiveStreamStats::kMaxNacksPerPacket);
  EXPECT_EQ(stats.pending_nacks(), 0u);
}

TEST(ReceiveStreamStats, NackGivesUpAfterASecond) {
  ReceiveStreamStats stats(90000);
  stats.set_rtt(milliseconds(300));
  stats.on_packet(1, 0, t0);
  stats.on_packet(3, 0, t0);
  int sent = 0;
  for (int ms = 0; ms <= 2000; ms += 10) sent += int(nacks(stats, t0 + milliseconds(ms)).size());
  EXPECT_EQ(sent, 4);  // at 0, 300, 600 and 900 ms
  EXPECT_EQ(stats.pending_nacks(), 0u);
}

TEST(ReceiveStreamStats, NackGivesUpWhenTooFarBehind) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(1, 0, t0);
  stats.on_packet(3, 0, t0);  // 2 missing
  for (uint16_t seq = 4; seq <= 1002; ++seq) stats.on_packet(seq, 0, t0);
  EXPECT_EQ(nacks(stats, t0), (Seqs{2}));  // exactly 1000 behind: still asked
  stats.on_packet(1003, 0, t0);
  EXPECT_TRUE(nacks(stats, t0 + milliseconds(50)).empty());
}

TEST(ReceiveStreamStats, HugeGapKeepsOnlyTheLastThousand) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(0, 0, t0);
  stats.on_packet(2500, 0, t0);
  EXPECT_EQ(stats.pending_nacks(), ReceiveStreamStats::kMaxNackDistance);
  const Seqs out = nacks(stats, t0);
  ASSERT_EQ(out.size(), 1000u);
  EXPECT_EQ(out.front(), 1500);
  EXPECT_EQ(out.back(), 2499);
  EXPECT_EQ(stats.make_report_block(1, t0).cumulative_lost, 2499);
}

TEST(ReceiveStreamStats, ReorderedPacketCancelsItsNack) {
  ReceiveStreamStats stats(90000);
  for (uint16_t seq : {1, 2, 4, 3, 5}) stats.on_packet(seq, 0, t0);
  EXPECT_TRUE(nacks(stats, t0).empty());
  EXPECT_EQ(stats.make_report_block(1, t0).cumulative_lost, 0);
}

TEST(ReceiveStreamStats, LateRetransmissionAfterGivingUpStillCounts) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(1, 0, t0);
  stats.on_packet(3, 0, t0);
  nacks(stats, t0);
  nacks(stats, t0 + seconds(2));  // given up
  stats.on_packet(2, 0, t0 + seconds(3));
  EXPECT_EQ(stats.duplicates(), 0u);
  EXPECT_EQ(stats.make_report_block(1, t0).cumulative_lost, 0);
}

TEST(ReceiveStreamStats, ReusedOutputVectorIsAppendedTo) {
  ReceiveStreamStats stats(90000);
  stats.on_packet(1, 0, t0);
  stats.on_packet(3, 0, t0);
  Seqs out{42};
  stats.collect_nacks(t0, out);
  EXPECT_EQ(out, (Seqs{42, 2}));
}

}  // namespace
}  // namespace ct::sfu
