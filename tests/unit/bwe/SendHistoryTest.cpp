// SendHistory: numbering, and matching feedback to what was sent, across
// loss, duplicates, reordering, wrap-around and unknown numbers.
#include <gtest/gtest.h>

#include <vector>

#include "FeedbackWriter.hpp"
#include "bwe/SendHistory.hpp"

namespace ct::bwe {
namespace {

using test::parse_feedback;
using test::write_feedback;

const TimePoint t0 = TimePoint{} + seconds(1000);
int64_t us(TimePoint t) { return std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count(); }

// Sends `count` packets 1 ms apart, sizes 1000 + index.
void send(SendHistory& history, size_t count, TimePoint start = t0) {
  for (size_t i = 0; i < count; ++i) history.on_packet_sent(uint32_t(1000 + i), start + milliseconds(i));
}

std::vector<PacketResult> feed(SendHistory& history, const std::vector<uint8_t>& bytes) {
  const auto results = history.on_feedback(parse_feedback(bytes));
  return {results.begin(), results.end()};
}

TEST(SendHistory, NumbersConsecutivelyAndWrapsSixteenBits) {
  SendHistory history;
  EXPECT_EQ(history.on_packet_sent(100, t0), 0);
  EXPECT_EQ(history.on_packet_sent(100, t0), 1);
  for (int i = 2; i < 65536; ++i) history.on_packet_sent(100, t0);
  EXPECT_EQ(history.on_packet_sent(100, t0), 0);
  EXPECT_EQ(history.next_sequence_number(), 65537);
}

TEST(SendHistory, MatchesArrivalsAndLossesToSentPackets) {
  SendHistory history;
  send(history, 6);
  const int64_t base_arrival = 5'000'000;  // the receiver's clock, unrelated to ours
  const auto results =
      feed(history, write_feedback(0, {base_arrival, base_arrival + 1000, std::nullopt, base_arrival + 3500,
                                       std::nullopt, base_arrival + 6000}));
  ASSERT_EQ(results.size(), 6u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].sequence_number, int64_t(i));
    EXPECT_EQ(results[i].size, 1000 + i);
    EXPECT_EQ(results[i].send_time_us, us(t0 + milliseconds(i)));
  }
  EXPECT_TRUE(results[0].received);
  EXPECT_FALSE(results[2].received);
  EXPECT_FALSE(results[4].received);
  EXPECT_EQ(results[1].arrival_time_us - results[0].arrival_time_us, 1000);
  EXPECT_EQ(results[3].arrival_time_us - results[0].arrival_time_us, 3500);
  EXPECT_EQ(results[5].arrival_time_us - results[0].arrival_time_us, 6000);
  EXPECT_EQ(history.counters().reported, 6u);
}

TEST(SendHistory, DuplicateFeedbackIsReportedOnce) {
  SendHistory history;
  send(history, 3);
  const auto bytes = write_feedback(0, {0, 1000, std::nullopt});
  EXPECT_EQ(feed(history, bytes).size(), 3u);
  EXPECT_TRUE(feed(history, bytes).empty());
  EXPECT_EQ(history.counters().duplicates, 3u);
}

TEST(SendHistory, PacketReportedLostThenReceivedIsReportedAgain) {
  SendHistory history;
  send(history, 3);
  feed(history, write_feedback(0, {0, std::nullopt}));
  const auto later = feed(history, write_feedback(1, {2000, 3000}));
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].sequence_number, 1);
  EXPECT_TRUE(later[0].received);
  EXPECT_EQ(history.counters().late_arrivals, 1u);
}

TEST(SendHistory, ReorderedFeedbackStillMatches) {
  SendHistory history;
  send(history, 20);
  const auto second = feed(history, write_feedback(10, std::vector<std::optional<int64_t>>(10, 64000), 1));
  const auto first = feed(history, write_feedback(0, std::vector<std::optional<int64_t>>(10, 0), 0));
  ASSERT_EQ(second.size(), 10u);
  ASSERT_EQ(first.size(), 10u);
  EXPECT_EQ(second.front().sequence_number, 10);
  EXPECT_EQ(first.back().sequence_number, 9);
  EXPECT_EQ(second.front().arrival_time_us - first.front().arrival_time_us, 64000);
}

TEST(SendHistory, FeedbackAcrossTheSixteenBitWrapMatchesTheNewestPackets) {
  SendHistory history;
  send(history, 65536 + 10);  // the newest is 65545 (wire 9)
  const auto results = feed(history, write_feedback(65530, std::vector<std::optional<int64_t>>(16, 1000)));
  ASSERT_EQ(results.size(), 16u);
  EXPECT_EQ(results.front().sequence_number, 65530);
  EXPECT_EQ(results.back().sequence_number, 65545);
  EXPECT_EQ(results.back().size, 1000u + 65545u);
}

TEST(SendHistory, UnsentAndExpiredNumbersAreCountedNotReported) {
  SendHistory history;
  send(history, 5);
  EXPECT_EQ(feed(history, write_feedback(3, {0, 1000, 2000, 3000})).size(), 2u);  // 5 and 6 never sent
  EXPECT_EQ(history.counters().unknown, 2u);

  send(history, SendHistory::kCapacity + 100);
  // Sequence 10 has been overwritten by 10 + kCapacity.
  EXPECT_TRUE(feed(history, write_feedback(10, {0})).empty());
  EXPECT_EQ(history.counters().unknown, 3u);
}

TEST(SendHistory, OversizedFeedbackIsRefused) {
  SendHistory history;
  send(history, 2000);
  const std::vector<std::optional<int64_t>> many(SendHistory::kMaxPacketsPerFeedback + 1, std::nullopt);
  EXPECT_TRUE(feed(history, write_feedback(0, many)).empty());
  EXPECT_EQ(history.counters().oversized, 1u);
}

TEST(SendHistory, ReferenceTimeUnwrapsAcrossItsTwentyFourBits) {
  SendHistory history;
  send(history, 2);
  const int64_t unit = rtp::RtcpTransportCc::kReferenceTimeUnitUs;
  // Reference time 0x7FFFFF then 0x800000 (wraps to negative on the wire).
  const auto a = feed(history, write_feedback(0, {0x7FFFFF * unit}));
  const auto b = feed(history, write_feedback(1, {0x800000 * unit}));
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].arrival_time_us - a[0].arrival_time_us, unit);
}

}  // namespace
}  // namespace ct::bwe
