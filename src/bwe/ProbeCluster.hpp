#pragma once
// One probe: a short burst sent at a target rate above the estimate (with
// padding or RTX), and what its feedback says the path carried. The result
// follows libwebrtc's ProbeBitrateEstimator: the lower of the send and
// receive rates of the cluster's received packets, and 95% of the receive
// rate when the path could not keep up with what was sent.
#include <cstdint>
#include <optional>

#include "bwe/PacketResult.hpp"
#include "core/Clock.hpp"

namespace ct::bwe {

class ProbeCluster {
 public:
  static constexpr uint32_t kMinPackets = 5;
  static constexpr Duration kMinDuration = milliseconds(15);
  // Share of the planned packets and bytes the feedback must report received.
  static constexpr double kMinReceivedShare = 0.8;
  // A receive rate over twice the send rate is a measuring artefact.
  static constexpr double kMaxReceiveRatio = 2.0;
  static constexpr double kUtilization = 0.95;
  static constexpr int64_t kMaxIntervalUs = 1'000'000;

  ProbeCluster() = default;
  ProbeCluster(int32_t id, double target_bps, TimePoint created);

  int32_t id() const { return id_; }
  double target_bps() const { return target_bps_; }
  TimePoint created() const { return created_; }
  // When its first packet went out; nullopt before.
  std::optional<TimePoint> first_sent() const { return first_sent_; }
  // The sender keeps sending for this cluster, paced at target_bps(),
  // until both minimums are met.
  uint32_t min_bytes() const;
  uint32_t min_packets() const { return kMinPackets; }
  bool fully_sent() const { return sent_packets_ >= kMinPackets && sent_bytes_ >= min_bytes(); }
  uint32_t sent_packets() const { return sent_packets_; }
  uint64_t sent_bytes() const { return sent_bytes_; }

  void on_sent(uint32_t size, TimePoint now);
  // A feedback result for one of this cluster's packets.
  void on_result(const PacketResult& result);
  // The measured rate, once enough of the cluster was reported received.
  std::optional<double> result_bps() const;

 private:
  int32_t id_ = kNoProbeCluster;
  double target_bps_ = 0;
  TimePoint created_{};
  std::optional<TimePoint> first_sent_;
  uint32_t sent_packets_ = 0;
  uint64_t sent_bytes_ = 0;
  // Over received packets only.
  uint32_t received_packets_ = 0;
  uint64_t received_bytes_ = 0;
  int64_t first_send_us_ = 0;
  int64_t last_send_us_ = 0;
  uint32_t last_send_size_ = 0;
  int64_t first_arrival_us_ = 0;
  int64_t last_arrival_us_ = 0;
  uint32_t first_arrival_size_ = 0;
};

}  // namespace ct::bwe
