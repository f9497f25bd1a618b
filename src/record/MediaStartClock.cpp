#include "record/MediaStartClock.hpp"

#include <algorithm>

namespace ct::record {

namespace {
// Seconds from 1900-01-01 (NTP's era 0) to 1970-01-01 (RFC 868).
constexpr int64_t kNtpToUnixSeconds = 2208988800;
}  // namespace

int64_t MediaStartClock::ntp_to_unix_us(uint64_t ntp_timestamp) {
  const auto seconds = int64_t(ntp_timestamp >> 32) - kNtpToUnixSeconds;
  const auto fraction_us = int64_t(((ntp_timestamp & 0xFFFFFFFFu) * 1'000'000u) >> 32);
  return seconds * 1'000'000 + fraction_us;
}

void MediaStartClock::on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp,
                                       int64_t arrival_unix_us) {
  if (ntp_timestamp == 0 || clock_rate_ == 0) return;
  const int64_t ntp_us = ntp_to_unix_us(ntp_timestamp);
  const int64_t transit = arrival_unix_us - ntp_us;
  min_transit_us_ = have_report_ ? std::min(min_transit_us_, transit) : transit;
  have_report_ = true;
  report_ntp_us_ = ntp_us;
  report_rtp_ = rtp_timestamp;
}

void MediaStartClock::on_media_start(uint32_t rtp_timestamp, int64_t arrival_unix_us) {
  if (have_media_start_) return;
  have_media_start_ = true;
  media_start_rtp_ = rtp_timestamp;
  media_start_arrival_us_ = arrival_unix_us;
}

std::optional<int64_t> MediaStartClock::media_start_unix_us() const {
  if (!have_media_start_) return std::nullopt;
  if (!have_report_) return media_start_arrival_us_;
  // RTP time from the report back (or on) to the first frame; wrap-safe
  // while the two are within 2^31 ticks (6.6 h at 90 kHz).
  const auto ticks = int64_t(int32_t(report_rtp_ - media_start_rtp_));
  const int64_t captured_us = report_ntp_us_ - ticks * 1'000'000 / int64_t(clock_rate_);
  return captured_us + min_transit_us_;
}

}  // namespace ct::record
