#include "sfu/MediaCounters.hpp"

#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {

void MediaCounters::add(const webrtc::PeerTransport& transport) {
  const auto& s = transport.stats();
  rtp_packets_in += s.rtp_packets_in;
  rtp_bytes_in += s.rtp_bytes_in;
  rtcp_packets_in += s.rtcp_packets_in;
  rtp_packets_out += s.rtp_packets_out;
  rtp_bytes_out += s.rtp_bytes_out;
  rtcp_packets_out += s.rtcp_packets_out;
  srtp_errors += s.srtp_errors;
  dropped_before_connect += s.dropped_before_connect;
}

void MediaCounters::add_estimate(uint64_t bps) {
  size_t bucket = 0;
  while (bucket < kEstimateBuckets.size() && double(bps) > kEstimateBuckets[bucket]) ++bucket;
  ++estimate_buckets[bucket];
  ++estimates;
  estimate_sum_bps += bps;
}

MediaCounters& MediaCounters::operator+=(const MediaCounters& o) {
  rtp_packets_in += o.rtp_packets_in;
  rtp_bytes_in += o.rtp_bytes_in;
  rtcp_packets_in += o.rtcp_packets_in;
  rtp_packets_out += o.rtp_packets_out;
  rtp_bytes_out += o.rtp_bytes_out;
  rtcp_packets_out += o.rtcp_packets_out;
  srtp_errors += o.srtp_errors;
  dropped_before_connect += o.dropped_before_connect;
  publication_packets_in += o.publication_packets_in;
  forwarded += o.forwarded;
  retransmitted += o.retransmitted;
  retransmissions_missing += o.retransmissions_missing;
  retransmissions_limited += o.retransmissions_limited;
  dropped_by_fault_injection += o.dropped_by_fault_injection;
  layer_switches += o.layer_switches;
  bandwidth_paused += o.bandwidth_paused;
  bandwidth_downgraded += o.bandwidth_downgraded;
  bandwidth_upgraded += o.bandwidth_upgraded;
  nacks_sent += o.nacks_sent;
  keyframe_requests_sent += o.keyframe_requests_sent;
  keyframe_requests_throttled += o.keyframe_requests_throttled;
  subscriber_round_trips += o.subscriber_round_trips;
  subscriber_round_trip_us += o.subscriber_round_trip_us;
  publisher_round_trips += o.publisher_round_trips;
  publisher_round_trip_us += o.publisher_round_trip_us;
  data_received += o.data_received;
  data_delivered += o.data_delivered;
  data_dropped_not_allowed += o.data_dropped_not_allowed;
  data_dropped_rate += o.data_dropped_rate;
  data_dropped_malformed += o.data_dropped_malformed;
  data_dropped_undeliverable += o.data_dropped_undeliverable;
  bwe_packets_sent += o.bwe_packets_sent;
  bwe_packets_acked += o.bwe_packets_acked;
  bwe_packets_lost += o.bwe_packets_lost;
  bwe_feedbacks += o.bwe_feedbacks;
  bwe_feedbacks_malformed += o.bwe_feedbacks_malformed;
  bwe_probe_clusters_sent += o.bwe_probe_clusters_sent;
  for (size_t i = 0; i < estimate_buckets.size(); ++i) estimate_buckets[i] += o.estimate_buckets[i];
  estimates += o.estimates;
  estimate_sum_bps += o.estimate_sum_bps;
  nacks_received += o.nacks_received;
  plis_received += o.plis_received;
  firs_received += o.firs_received;
  forward_latency += o.forward_latency;
  subscriber_rtt += o.subscriber_rtt;
  publisher_rtt += o.publisher_rtt;
  jitter += o.jitter;
  rooms_created += o.rooms_created;
  participants_joined += o.participants_joined;
  tracks_published += o.tracks_published;
  return *this;
}

}  // namespace ct::sfu
