#include "bwe/SendSideBandwidthEstimator.hpp"

#include <algorithm>
#include <optional>

namespace ct::bwe {

namespace {
BandwidthEstimatorConfig sane(BandwidthEstimatorConfig config) {
  config.max_bps = std::max(config.max_bps, config.min_bps);
  config.start_bps = std::clamp(config.start_bps, config.min_bps, config.max_bps);
  return config;
}
}  // namespace

SendSideBandwidthEstimator::SendSideBandwidthEstimator(BandwidthEstimatorConfig config, TimePoint now)
    : config_(sane(config)),
      target_bps_(double(config_.start_bps)),
      aimd_(double(config_.start_bps), double(config_.min_bps), double(config_.max_bps)),
      probes_(double(config_.max_bps)) {
  probes_.start(double(config_.start_bps), now);
}

uint16_t SendSideBandwidthEstimator::on_packet_sent(uint32_t size, TimePoint now, int32_t probe_cluster) {
  if (probe_cluster != kNoProbeCluster) probes_.on_probe_sent(probe_cluster, size, now);
  return history_.on_packet_sent(size, now, probe_cluster);
}

void SendSideBandwidthEstimator::on_rtt(Duration rtt) {
  rtt_ = rtt;
  aimd_.set_rtt(rtt);
}

void SendSideBandwidthEstimator::set_wanted_bitrate(uint64_t bps) {
  probes_.set_wanted_bps(double(std::clamp(bps, config_.min_bps, config_.max_bps)));
}

void SendSideBandwidthEstimator::on_feedback(const rtp::RtcpTransportCc& feedback, TimePoint now) {
  const std::span<const PacketResult> results = history_.on_feedback(feedback);
  if (results.empty()) return;
  uint32_t received = 0;
  uint32_t lost = 0;
  std::optional<double> probe_bps;
  for (const PacketResult& result : results) {
    if (!result.received) {
      ++lost;
      continue;
    }
    ++received;
    acked_.on_packet(result.arrival_time_us, result.size);
    if (result.probe_cluster != kNoProbeCluster) {
      if (const auto measured = probes_.on_result(result, target_bps_, now)) {
        probe_bps = std::max(probe_bps.value_or(0), *measured);
      }
    }
    if (const auto delta = groups_.on_packet(result.send_time_us, result.arrival_time_us)) {
      trendline_.update(delta->arrival_delta_us, delta->send_delta_us, delta->arrival_time_us);
      detector_.detect(trendline_.trend(), trendline_.modified_trend(), double(delta->send_delta_us) / 1000,
                       delta->arrival_time_us / 1000);
    }
  }

  const BandwidthUsage usage = detector_.usage();
  const std::optional<uint64_t> acked = acked_.bitrate_bps();
  if (probe_bps && usage != BandwidthUsage::kOverusing) {
    aimd_.on_probe_result(*probe_bps, now);
    loss_.on_probe_result(*probe_bps);
  } else {
    aimd_.update(usage, acked ? std::optional<double>(double(*acked)) : std::nullopt, now);
  }
  packets_received_ += received;
  packets_lost_ += lost;
  loss_.on_packets(received, lost);
  loss_.update(now, target_bps_, aimd_.estimate_bps(), rtt_);
  target_bps_ = std::clamp(std::min(aimd_.estimate_bps(), loss_.bound_bps()), double(config_.min_bps),
                           double(config_.max_bps));

  const bool congested = usage != BandwidthUsage::kNormal ||
                         loss_.loss_fraction() > LossBasedBound::kLowLoss ||
                         (aimd_.has_decreased() && now - aimd_.last_decrease() < kQuietBeforeProbing);
  probes_.on_estimate(target_bps_, congested, now);
}

}  // namespace ct::bwe
