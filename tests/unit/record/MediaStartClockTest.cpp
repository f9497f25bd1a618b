// MediaStartClock: a file's time zero on the wall clock, from the
// publisher's sender reports (RFC 3550 §6.4.1) or, without them, from
// arrival; audio and video of one sender line up as captured.
#include <gtest/gtest.h>

#include "record/MediaStartClock.hpp"

namespace ct::record {
namespace {

// 2026-12-07T00:00:00Z as an NTP timestamp, plus `ms`.
constexpr int64_t kUnixSeconds = 1796601600;
constexpr uint64_t ntp_at_ms(int64_t ms) {
  const uint64_t seconds = uint64_t(kUnixSeconds + 2208988800 + ms / 1000);
  const uint64_t fraction = ((uint64_t(ms % 1000) << 32) + 999) / 1000;  // rounded up: reads back exact
  return (seconds << 32) | fraction;
}
constexpr int64_t unix_us_at_ms(int64_t ms) { return (kUnixSeconds * 1000 + ms) * 1000; }

TEST(MediaStartClock, NtpTimestampsBecomeUnixMicroseconds) {
  EXPECT_EQ(MediaStartClock::ntp_to_unix_us(uint64_t(2208988800) << 32), 0);
  EXPECT_EQ(MediaStartClock::ntp_to_unix_us(ntp_at_ms(0)), unix_us_at_ms(0));
  EXPECT_EQ(MediaStartClock::ntp_to_unix_us((uint64_t(2208988801) << 32) | 0x80000000u), 1'500'000);
}

TEST(MediaStartClock, NothingBeforeTheFirstFrame) {
  MediaStartClock clock(90000);
  clock.on_sender_report(ntp_at_ms(0), 1000, unix_us_at_ms(5));
  EXPECT_FALSE(clock.media_start_unix_us());
}

TEST(MediaStartClock, WithoutSenderReportsTheFirstFramesArrivalIsTimeZero) {
  MediaStartClock clock(90000);
  clock.on_media_start(5000, unix_us_at_ms(1234));
  clock.on_media_start(9000, unix_us_at_ms(2000));  // only the first counts
  EXPECT_EQ(clock.media_start_unix_us(), unix_us_at_ms(1234));
  EXPECT_FALSE(clock.from_sender_reports());
}

TEST(MediaStartClock, ASenderReportPlacesTheFirstFrameAtItsCaptureTime) {
  // The sender's clock is 10 s behind the server's; the report took 20 ms.
  // The first frame (RTP 90000) was captured 1 s before the report's
  // instant (RTP 180000 at sender time 0 ms), so at sender time −1000 ms,
  // i.e. server time 10000 + 20 − 1000 ms. It arrived much later (jitter
  // buffer, a keyframe wait): arrival is not what counts.
  MediaStartClock clock(90000);
  clock.on_media_start(90000, unix_us_at_ms(9500));
  clock.on_sender_report(ntp_at_ms(0), 180000, unix_us_at_ms(10020));
  EXPECT_TRUE(clock.from_sender_reports());
  EXPECT_EQ(clock.media_start_unix_us(), unix_us_at_ms(9020));
}

TEST(MediaStartClock, TheReportWithTheShortestPathSetsTheClockOffset) {
  MediaStartClock clock(48000);
  clock.on_media_start(0, unix_us_at_ms(0));
  clock.on_sender_report(ntp_at_ms(1000), 48000, unix_us_at_ms(1080));   // 80 ms in transit
  clock.on_sender_report(ntp_at_ms(2000), 96000, unix_us_at_ms(2010));   // 10 ms
  clock.on_sender_report(ntp_at_ms(3000), 144000, unix_us_at_ms(3200));  // 200 ms: queued
  EXPECT_EQ(clock.media_start_unix_us(), unix_us_at_ms(10));
}

TEST(MediaStartClock, AudioAndVideoOfOneSenderLineUpAsCaptured) {
  // Both captured from sender time 500 ms; their reports came with
  // different delays and the video's first frame arrived 300 ms late.
  MediaStartClock audio(48000), video(90000);
  audio.on_sender_report(ntp_at_ms(1000), 1'000'000 + 48000, unix_us_at_ms(1015));
  audio.on_media_start(1'000'000 + 24000, unix_us_at_ms(530));
  video.on_media_start(7'000'000 + 45000, unix_us_at_ms(830));
  video.on_sender_report(ntp_at_ms(900), 7'000'000 + 81000, unix_us_at_ms(940));
  video.on_sender_report(ntp_at_ms(1900), 7'000'000 + 171000, unix_us_at_ms(1915));
  ASSERT_TRUE(audio.media_start_unix_us() && video.media_start_unix_us());
  EXPECT_EQ(*audio.media_start_unix_us(), unix_us_at_ms(515));
  EXPECT_EQ(*video.media_start_unix_us(), unix_us_at_ms(515));
}

TEST(MediaStartClock, RtpTimestampsWrapBetweenTheFrameAndTheReport) {
  MediaStartClock clock(90000);
  clock.on_media_start(0xFFFFFFFFu - 44999, unix_us_at_ms(0));  // 45000 ticks before the wrap
  clock.on_sender_report(ntp_at_ms(1000), 45000, unix_us_at_ms(1000));
  EXPECT_EQ(clock.media_start_unix_us(), unix_us_at_ms(0));  // 90000 ticks = 1 s before
}

TEST(MediaStartClock, AReportWithoutAnNtpTimeIsIgnored) {
  MediaStartClock clock(90000);
  clock.on_media_start(100, unix_us_at_ms(77));
  clock.on_sender_report(0, 100, unix_us_at_ms(5000));
  EXPECT_EQ(clock.media_start_unix_us(), unix_us_at_ms(77));
  EXPECT_FALSE(clock.from_sender_reports());
}

}  // namespace
}  // namespace ct::record
