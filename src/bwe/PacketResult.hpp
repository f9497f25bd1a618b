#pragma once
// What the send-side estimator learns about one outgoing packet once a
// transport-cc feedback has reported it. Times are in microseconds: the send
// time on our clock, the arrival time on the receiver's clock (only
// differences between arrivals mean anything).
#include <cstdint>

namespace ct::bwe {

inline constexpr int32_t kNoProbeCluster = -1;

struct PacketResult {
  int64_t sequence_number = 0;  // transport-wide, unwrapped
  int64_t send_time_us = 0;
  int64_t arrival_time_us = 0;  // meaningful only when received
  uint32_t size = 0;            // bytes on the wire, as given at send time
  int32_t probe_cluster = kNoProbeCluster;
  bool received = false;
};

}  // namespace ct::bwe
