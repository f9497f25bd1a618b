// SenderReportGenerator: NTP conversion, RTP extrapolation, counts.
#include "sfu/SenderReportGenerator.hpp"

#include <gtest/gtest.h>

#include <array>

#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpSenderReport.hpp"

namespace ct::sfu {
namespace {

using std::chrono::system_clock;
const TimePoint t0 = TimePoint{} + seconds(100);
// 2024-01-01T00:00:00Z plus half a second.
const system_clock::time_point wall0 = system_clock::time_point{} + seconds(1704067200) + milliseconds(500);

rtp::RtcpSenderInfo parse_sr(std::span<const uint8_t> bytes, uint32_t expected_ssrc) {
  rtp::RtcpCompound compound(bytes);
  const auto packet = compound.next();
  EXPECT_TRUE(packet);
  EXPECT_FALSE(compound.next());
  const auto sr = rtp::RtcpSenderReport::parse(*packet);
  EXPECT_TRUE(sr);
  if (!sr) return {};
  EXPECT_EQ(sr->sender_ssrc(), expected_ssrc);
  EXPECT_EQ(sr->report_count(), 0u);
  return sr->sender_info();
}

TEST(SenderReportGenerator, NtpFromUnixTime) {
  // RFC 5905: 1970-01-01 is 2208988800 s after the NTP epoch.
  EXPECT_EQ(SenderReportGenerator::to_ntp(system_clock::time_point{}), 2208988800ull << 32);
  EXPECT_EQ(SenderReportGenerator::to_ntp(wall0), (1704067200ull + 2208988800ull) << 32 | 0x80000000u);
  EXPECT_EQ(SenderReportGenerator::to_ntp(system_clock::time_point{} + milliseconds(250)) & 0xFFFFFFFFu, 0x40000000u);
}

TEST(SenderReportGenerator, NothingBeforeTheFirstPacket) {
  SenderReportGenerator generator(0x1234, 90000);
  std::array<uint8_t, 64> out{};
  EXPECT_EQ(generator.build(out, t0, wall0), 0u);
}

TEST(SenderReportGenerator, ExtrapolatesRtpTimeAndCounts) {
  SenderReportGenerator generator(0xCAFE, 90000);
  generator.on_packet_sent(1000, 1100, t0);
  generator.on_packet_sent(4000, 900, t0 + milliseconds(33));
  std::array<uint8_t, 64> out{};
  const size_t length = generator.build(out, t0 + milliseconds(533), wall0);
  ASSERT_EQ(length, rtp::RtcpSenderReport::size(0));
  const rtp::RtcpSenderInfo info = parse_sr(std::span(out).first(length), 0xCAFE);
  EXPECT_EQ(info.ntp_timestamp, SenderReportGenerator::to_ntp(wall0));
  EXPECT_EQ(info.rtp_timestamp, 4000u + 45000u);  // 500 ms at 90 kHz after the last packet
  EXPECT_EQ(info.packet_count, 2u);
  EXPECT_EQ(info.octet_count, 2000u);
}

TEST(SenderReportGenerator, NtpAndRtpAdvanceTogether) {
  SenderReportGenerator generator(1, 48000);
  generator.on_packet_sent(0xFFFFF000u, 100, t0);  // the RTP time wraps in between
  std::array<uint8_t, 64> out{};
  ASSERT_GT(generator.build(out, t0 + milliseconds(20), wall0), 0u);
  const rtp::RtcpSenderInfo first = parse_sr(out, 1);
  ASSERT_GT(generator.build(out, t0 + milliseconds(1020), wall0 + seconds(1)), 0u);
  const rtp::RtcpSenderInfo second = parse_sr(out, 1);
  const double ntp_seconds = double(second.ntp_timestamp - first.ntp_timestamp) / 4294967296.0;
  const double rtp_seconds = double(uint32_t(second.rtp_timestamp - first.rtp_timestamp)) / 48000.0;
  EXPECT_DOUBLE_EQ(ntp_seconds, 1.0);
  EXPECT_DOUBLE_EQ(rtp_seconds, 1.0);
  EXPECT_EQ(first.rtp_timestamp, 0xFFFFF000u + 960u);
}

TEST(SenderReportGenerator, OlderTimestampDoesNotMoveTheReference) {
  SenderReportGenerator generator(1, 90000);
  generator.on_packet_sent(90000, 100, t0);
  generator.on_packet_sent(45000, 100, t0 + milliseconds(100));  // a retransmission
  EXPECT_EQ(generator.rtp_timestamp_at(t0 + milliseconds(100)), 90000u + 9000u);
  EXPECT_EQ(generator.packet_count(), 2u);
  EXPECT_EQ(generator.octet_count(), 200u);
}

TEST(SenderReportGenerator, RefusesSmallBuffer) {
  SenderReportGenerator generator(1, 90000);
  generator.on_packet_sent(0, 100, t0);
  std::array<uint8_t, 27> out{};
  EXPECT_EQ(generator.build(out, t0, wall0), 0u);
}

}  // namespace
}  // namespace ct::sfu
