#include "sfu/SenderReportGenerator.hpp"

#include "rtp/RtcpSenderReport.hpp"

namespace ct::sfu {

namespace {
// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
constexpr uint64_t kNtpUnixOffset = 2'208'988'800ull;
}  // namespace

SenderReportGenerator::SenderReportGenerator(uint32_t ssrc, uint32_t clock_rate)
    : ssrc_(ssrc), clock_rate_(clock_rate) {}

void SenderReportGenerator::on_packet_sent(uint32_t rtp_timestamp, size_t payload_bytes, TimePoint now) {
  ++packet_count_;
  octet_count_ += uint32_t(payload_bytes);
  if (!sent_ || int32_t(rtp_timestamp - last_rtp_timestamp_) >= 0) {
    last_rtp_timestamp_ = rtp_timestamp;
    last_sent_at_ = now;
  }
  sent_ = true;
}

uint32_t SenderReportGenerator::rtp_timestamp_at(TimePoint now) const {
  const int64_t elapsed_us = std::chrono::duration_cast<microseconds>(now - last_sent_at_).count();
  // Rounded to the nearest tick; 64-bit products hold for years of elapsed time.
  const int64_t ticks = elapsed_us >= 0 ? (elapsed_us * int64_t(clock_rate_) + 500'000) / 1'000'000
                                        : -((-elapsed_us * int64_t(clock_rate_) + 500'000) / 1'000'000);
  return last_rtp_timestamp_ + uint32_t(ticks);
}

uint64_t SenderReportGenerator::to_ntp(std::chrono::system_clock::time_point wallclock) {
  const auto since_unix = std::chrono::duration_cast<std::chrono::nanoseconds>(wallclock.time_since_epoch());
  const int64_t ns = since_unix.count();
  const uint64_t seconds = uint64_t(ns / 1'000'000'000) + kNtpUnixOffset;
  const uint64_t remainder_ns = uint64_t(ns % 1'000'000'000);
  const uint64_t fraction = (remainder_ns << 32) / 1'000'000'000;
  return seconds << 32 | fraction;
}

size_t SenderReportGenerator::build(std::span<uint8_t> out, TimePoint now,
                                    std::chrono::system_clock::time_point wallclock) {
  if (!sent_) return 0;
  const rtp::RtcpSenderInfo info{to_ntp(wallclock), rtp_timestamp_at(now), packet_count_, octet_count_};
  return rtp::RtcpSenderReport::build(out, ssrc_, info, {});
}

}  // namespace ct::sfu
