#pragma once
// Decides when to probe above the estimate and with which clusters: 2× and
// 4× the start rate at the beginning; 2× the result again while probes keep
// finding room (exponential probing, as libwebrtc does); and 2× the
// estimate every kPeriodicInterval while the estimate is below what the
// sender wants and the path shows no congestion; and once the congestion
// after a large drop clears, 85% of the rate before the drop (libwebrtc's
// probe after a large drop), so a short loss burst costs seconds, not tens. The sender pads or sends
// RTX for the clusters of probe_plan(); results come back through the
// feedback. Clusters live in a fixed array: no allocation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "bwe/PacketResult.hpp"
#include "bwe/ProbeCluster.hpp"
#include "core/Clock.hpp"

namespace ct::bwe {

class ProbeController {
 public:
  static constexpr size_t kMaxClusters = 4;
  static constexpr double kStartMultipliers[2] = {2.0, 4.0};
  static constexpr double kFurtherMultiplier = 2.0;
  // Probe again only while a result reached this share of its target.
  static constexpr double kFurtherProbeShare = 0.7;
  static constexpr Duration kPeriodicInterval = seconds(5);
  // A cluster with no result this long after its first packet went out has failed.
  static constexpr Duration kClusterTimeout = seconds(2);
  // A cluster nothing of which could be sent yet (no video to pad on: the
  // start probes are planned when the connection is made, audio's feedback
  // comes first, and a loaded publisher's first keyframe may take seconds)
  // waits this long for its first packet; kClusterTimeout runs from then.
  static constexpr Duration kUnsentTimeout = seconds(10);
  // A fall below this share of the rate seen within kDropWindow is a large drop.
  static constexpr double kLargeDrop = 0.66;
  static constexpr double kRecoveryShare = 0.85;
  static constexpr Duration kDropWindow = seconds(5);

  struct Counters {
    uint64_t planned = 0;
    uint64_t succeeded = 0;
    uint64_t timed_out = 0;
    uint64_t recoveries = 0;       // probes after a large drop
    uint64_t unknown_results = 0;  // feedback for a cluster no longer tracked
  };

  explicit ProbeController(double wanted_bps) : wanted_bps_(wanted_bps) {}

  // At most this rate is worth probing for (the sender's wish, capped by
  // the configured maximum).
  void set_wanted_bps(double bps) { wanted_bps_ = bps; }
  // Plans the start clusters.
  void start(double start_bps, TimePoint now);
  // After each estimate update: plans a periodic probe when it is time.
  void on_estimate(double estimate_bps, bool congested, TimePoint now);

  // Clusters the sender still has to send, oldest first.
  std::span<const ProbeCluster> probe_plan() const { return std::span(pending_).first(pending_count_); }
  void on_probe_sent(int32_t cluster, uint32_t size, TimePoint now);
  // A feedback result of a probe packet; returns the cluster's measured
  // rate when this result completes it.
  std::optional<double> on_result(const PacketResult& result, double estimate_bps, TimePoint now);

  const Counters& counters() const { return counters_; }

 private:
  void plan(double target_bps, TimePoint now);
  void expire(TimePoint now);
  void refresh_pending();
  ProbeCluster* find(int32_t id);

  double wanted_bps_;
  int32_t next_id_ = 0;
  std::array<ProbeCluster, kMaxClusters> clusters_{};
  size_t cluster_count_ = 0;
  std::array<ProbeCluster, kMaxClusters> pending_{};
  size_t pending_count_ = 0;
  bool probed_ = false;
  TimePoint last_probe_{};
  double recent_high_bps_ = 0;
  TimePoint recent_high_at_{};
  double recovery_bps_ = 0;  // to probe for once the congestion clears; 0 when none
  Counters counters_;
};

}  // namespace ct::bwe
