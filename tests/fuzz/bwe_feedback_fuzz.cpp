// libFuzzer target: untrusted transport-cc feedback into the send-side
// estimator. The first bytes choose how many packets were sent (and how the
// sequence numbers sit against the 16-bit wrap); the rest is an RTCP
// compound whose transport-cc packets are fed in order. Whatever the
// feedback says, the target stays within the configured bounds and every
// status is accounted for exactly once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "bwe/SendSideBandwidthEstimator.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpTransportCc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ct;
  if (size < 3) return 0;
  const TimePoint t0 = TimePoint{} + seconds(1000);
  const bwe::BandwidthEstimatorConfig config{100'000, 500'000, 4'000'000};
  bwe::SendSideBandwidthEstimator estimator(config, t0);
  // Up to 65535 + 255 sends: enough to wrap the 16-bit numbers and the ring.
  const size_t sends = size_t(data[0]) << 8 | data[1];
  const size_t extra = data[2];
  for (size_t i = 0; i < sends + extra; ++i) {
    const int32_t cluster = i < 10 && !estimator.probe_plan().empty() ? estimator.probe_plan()[0].id() : -1;
    estimator.on_packet_sent(uint32_t(100 + i % 1200), t0 + microseconds(int64_t(i) * 1000), cluster);
  }
  rtp::RtcpCompound compound(std::span<const uint8_t>(data + 3, size - 3));
  uint64_t statuses = 0;
  int64_t now_ms = int64_t(sends + extra);
  while (const auto packet = compound.next()) {
    const auto feedback = rtp::RtcpTransportCc::parse(*packet);
    if (!feedback) continue;
    if (feedback->packet_status_count() <= bwe::SendHistory::kMaxPacketsPerFeedback) {
      statuses += feedback->packet_status_count();
    }
    estimator.on_feedback(*feedback, t0 + milliseconds(now_ms += 20));
    const uint64_t target = estimator.target_bitrate();
    if (target < config.min_bps || target > config.max_bps) std::abort();
  }
  const auto& counters = estimator.history_counters();
  if (counters.reported + counters.duplicates + counters.unknown != statuses) std::abort();
  return 0;
}
