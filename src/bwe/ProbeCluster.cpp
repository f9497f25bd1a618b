#include "bwe/ProbeCluster.hpp"

#include <algorithm>

namespace ct::bwe {

ProbeCluster::ProbeCluster(int32_t id, double target_bps, TimePoint created)
    : id_(id), target_bps_(target_bps), created_(created) {}

uint32_t ProbeCluster::min_bytes() const {
  return uint32_t(target_bps_ * std::chrono::duration<double>(kMinDuration).count() / 8);
}

void ProbeCluster::on_sent(uint32_t size, TimePoint now) {
  if (!first_sent_) first_sent_ = now;
  ++sent_packets_;
  sent_bytes_ += size;
}

void ProbeCluster::on_result(const PacketResult& result) {
  if (!result.received) return;
  if (received_packets_ == 0) {
    first_send_us_ = last_send_us_ = result.send_time_us;
    first_arrival_us_ = last_arrival_us_ = result.arrival_time_us;
    last_send_size_ = first_arrival_size_ = result.size;
  } else {
    if (result.send_time_us < first_send_us_) first_send_us_ = result.send_time_us;
    if (result.send_time_us >= last_send_us_) {
      last_send_us_ = result.send_time_us;
      last_send_size_ = result.size;
    }
    if (result.arrival_time_us < first_arrival_us_) {
      first_arrival_us_ = result.arrival_time_us;
      first_arrival_size_ = result.size;
    }
    last_arrival_us_ = std::max(last_arrival_us_, result.arrival_time_us);
  }
  ++received_packets_;
  received_bytes_ += result.size;
}

std::optional<double> ProbeCluster::result_bps() const {
  if (double(received_packets_) < kMinReceivedShare * kMinPackets ||
      double(received_bytes_) < kMinReceivedShare * min_bytes()) {
    return std::nullopt;
  }
  const int64_t send_interval = last_send_us_ - first_send_us_;
  const int64_t receive_interval = last_arrival_us_ - first_arrival_us_;
  if (send_interval <= 0 || send_interval > kMaxIntervalUs || receive_interval <= 0 ||
      receive_interval > kMaxIntervalUs) {
    return std::nullopt;
  }
  // The last packet sent ends the send interval and the first received
  // starts the receive interval: neither was carried inside it.
  const double send_bps = double(received_bytes_ - last_send_size_) * 8e6 / double(send_interval);
  const double receive_bps = double(received_bytes_ - first_arrival_size_) * 8e6 / double(receive_interval);
  if (receive_bps > kMaxReceiveRatio * send_bps) return std::nullopt;
  if (receive_bps < 0.9 * send_bps) return kUtilization * receive_bps;
  return std::min(send_bps, receive_bps);
}

}  // namespace ct::bwe
