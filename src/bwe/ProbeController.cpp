#include "bwe/ProbeController.hpp"

#include <algorithm>

namespace ct::bwe {

void ProbeController::start(double start_bps, TimePoint now) {
  for (double multiplier : kStartMultipliers) plan(start_bps * multiplier, now);
}

void ProbeController::plan(double target_bps, TimePoint now) {
  target_bps = std::min(target_bps, wanted_bps_);
  if (target_bps <= 0 || cluster_count_ == kMaxClusters) return;
  clusters_[cluster_count_++] = ProbeCluster(next_id_, target_bps, now);
  next_id_ = next_id_ == INT32_MAX ? 0 : next_id_ + 1;
  ++counters_.planned;
  probed_ = true;
  last_probe_ = now;
  refresh_pending();
}

void ProbeController::refresh_pending() {
  pending_count_ = 0;
  for (size_t i = 0; i < cluster_count_; ++i) {
    if (!clusters_[i].fully_sent()) pending_[pending_count_++] = clusters_[i];
  }
}

ProbeCluster* ProbeController::find(int32_t id) {
  for (size_t i = 0; i < cluster_count_; ++i) {
    if (clusters_[i].id() == id) return &clusters_[i];
  }
  return nullptr;
}

void ProbeController::expire(TimePoint now) {
  size_t kept = 0;
  for (size_t i = 0; i < cluster_count_; ++i) {
    const ProbeCluster& cluster = clusters_[i];
    const bool expired = cluster.first_sent() ? now - *cluster.first_sent() >= kClusterTimeout
                                              : now - cluster.created() >= kUnsentTimeout;
    if (expired) {
      ++counters_.timed_out;
    } else {
      clusters_[kept++] = clusters_[i];
    }
  }
  if (kept != cluster_count_) {
    cluster_count_ = kept;
    refresh_pending();
  }
}

void ProbeController::on_estimate(double estimate_bps, bool congested, TimePoint now) {
  expire(now);
  if (estimate_bps >= recent_high_bps_ || now - recent_high_at_ > kDropWindow) {
    recent_high_bps_ = estimate_bps;
    recent_high_at_ = now;
  } else if (estimate_bps < kLargeDrop * recent_high_bps_ && recovery_bps_ == 0) {
    recovery_bps_ = kRecoveryShare * recent_high_bps_;
  }
  if (congested || cluster_count_ > 0 || estimate_bps >= wanted_bps_) return;
  if (recovery_bps_ > estimate_bps) {
    ++counters_.recoveries;
    plan(recovery_bps_, now);
    recovery_bps_ = 0;
    recent_high_bps_ = estimate_bps;
    recent_high_at_ = now;
    return;
  }
  recovery_bps_ = 0;
  if (probed_ && now - last_probe_ < kPeriodicInterval) return;
  plan(estimate_bps * kFurtherMultiplier, now);
}

void ProbeController::on_probe_sent(int32_t cluster, uint32_t size, TimePoint now) {
  if (ProbeCluster* probe = find(cluster)) {
    probe->on_sent(size, now);
    if (probe->fully_sent()) refresh_pending();
  }
}

std::optional<double> ProbeController::on_result(const PacketResult& result, double estimate_bps,
                                                 TimePoint now) {
  ProbeCluster* probe = find(result.probe_cluster);
  if (!probe) {
    ++counters_.unknown_results;
    return std::nullopt;
  }
  probe->on_result(result);
  const std::optional<double> measured = probe->result_bps();
  if (!measured) return std::nullopt;
  const double target = probe->target_bps();
  // Done with it: remove, keeping the order.
  const size_t index = size_t(probe - clusters_.data());
  std::copy(clusters_.begin() + index + 1, clusters_.begin() + cluster_count_, clusters_.begin() + index);
  --cluster_count_;
  refresh_pending();
  ++counters_.succeeded;
  // The path took most of what we sent: there may be more room.
  if (*measured >= kFurtherProbeShare * target && std::max(*measured, estimate_bps) < wanted_bps_ &&
      cluster_count_ == 0) {
    plan(std::max(*measured, estimate_bps) * kFurtherMultiplier, now);
  }
  return measured;
}

}  // namespace ct::bwe
