#pragma once
// Send-side bandwidth estimation for one transport, in the spirit of Google
// Congestion Control (draft-ietf-rmcat-gcc-02) fed by transport-wide
// feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01):
//
//   on_packet_sent ─► SendHistory ◄─ on_feedback (RTPFB FMT 15)
//                          │ per-packet results
//        ┌─────────────────┼──────────────────┬───────────────┐
//   InterArrivalGroups  AckedBitrate      LossBasedBound  ProbeController
//   → TrendlineEstimator    │                  │               │
//   → OveruseDetector ──► AimdRateController ◄─┼─── probe results
//                               └──► min(delay-based, loss bound) = target
//
// Single-threaded; every part lives in fixed storage, so steady state
// allocates nothing.
#include <cstdint>
#include <span>

#include "bwe/AckedBitrateEstimator.hpp"
#include "bwe/AimdRateController.hpp"
#include "bwe/InterArrivalGroups.hpp"
#include "bwe/LossBasedBound.hpp"
#include "bwe/OveruseDetector.hpp"
#include "bwe/ProbeController.hpp"
#include "bwe/SendHistory.hpp"
#include "bwe/TrendlineEstimator.hpp"
#include "core/Clock.hpp"
#include "rtp/RtcpTransportCc.hpp"

namespace ct::bwe {

struct BandwidthEstimatorConfig {
  uint64_t min_bps = 100'000;
  uint64_t start_bps = 1'000'000;
  uint64_t max_bps = 10'000'000;
};

class SendSideBandwidthEstimator {
 public:
  // Without congestion this long, periodic probing may resume.
  static constexpr Duration kQuietBeforeProbing = seconds(2);

  // Plans the start probes at `now`.
  SendSideBandwidthEstimator(BandwidthEstimatorConfig config, TimePoint now);

  // A packet leaves: returns its transport-wide sequence number for the
  // header extension. Probe packets name the cluster they were sent for.
  uint16_t on_packet_sent(uint32_t size, TimePoint now, int32_t probe_cluster = kNoProbeCluster);
  void on_feedback(const rtp::RtcpTransportCc& feedback, TimePoint now);
  void on_rtt(Duration rtt);
  // What the sender could use at most (e.g. the sum of its layers); probing
  // stops there. Capped at the configured maximum.
  void set_wanted_bitrate(uint64_t bps);

  uint64_t target_bitrate() const { return uint64_t(target_bps_); }
  // Clusters to send now, paced at each one's target_bps().
  std::span<const ProbeCluster> probe_plan() const { return probes_.probe_plan(); }

  BandwidthUsage usage() const { return detector_.usage(); }
  double delay_based_bps() const { return aimd_.estimate_bps(); }
  double loss_bound_bps() const { return loss_.bound_bps(); }
  double loss_fraction() const { return loss_.loss_fraction(); }
  const SendHistory::Counters& history_counters() const { return history_.counters(); }
  const ProbeController::Counters& probe_counters() const { return probes_.counters(); }
  // Packets the feedback reported received, and reported lost (a late
  // arrival, lost first then received, counts as received only).
  uint64_t packets_received() const { return packets_received_; }
  uint64_t packets_lost() const { return packets_lost_ - history_.counters().late_arrivals; }

 private:
  BandwidthEstimatorConfig config_;
  double target_bps_;
  Duration rtt_ = AimdRateController::kDefaultRtt;
  SendHistory history_;
  InterArrivalGroups groups_;
  TrendlineEstimator trendline_;
  OveruseDetector detector_;
  AckedBitrateEstimator acked_;
  AimdRateController aimd_;
  LossBasedBound loss_;
  ProbeController probes_;
  uint64_t packets_received_ = 0;
  uint64_t packets_lost_ = 0;
};

}  // namespace ct::bwe
