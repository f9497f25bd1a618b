#pragma once
// What a media worker's rooms have done since it started, for the metrics
// endpoint. A plain value: the objects that count (transports' owners,
// publications, subscriptions, data channels) add their own stats into it.
// Live objects keep their own stats; when one goes away it adds them to the
// worker's totals, so totals + live never goes backwards (a Prometheus
// counter must not). Events (joins, publications) count straight into the
// totals. Plain integers: one thread writes and reads them (the worker's).
#include <array>
#include <cstdint>

#include "core/BucketHistogram.hpp"

namespace ct::webrtc {
class PeerTransport;
}

namespace ct::sfu {

struct MediaCounters {
  // SRTP/SRTCP on every transport (publisher and subscriber connections).
  uint64_t rtp_packets_in = 0, rtp_bytes_in = 0, rtcp_packets_in = 0;
  uint64_t rtp_packets_out = 0, rtp_bytes_out = 0, rtcp_packets_out = 0;
  uint64_t srtp_errors = 0;             // failed authentication, replays, malformed
  uint64_t dropped_before_connect = 0;  // media before DTLS finished
  // Forwarding.
  uint64_t publication_packets_in = 0;   // RTP accepted by a publication
  uint64_t forwarded = 0;                // RTP sent to subscribers
  uint64_t retransmitted = 0;            // NACKed packets resent to subscribers
  uint64_t retransmissions_missing = 0;  // NACKed packets no longer kept
  uint64_t retransmissions_limited = 0;  // NACKed packets not resent (limits on one subscriber)
  uint64_t dropped_by_fault_injection = 0;
  uint64_t layer_switches = 0;          // simulcast layer changes made for subscribers
  uint64_t nacks_sent = 0;              // NACKs to publishers
  uint64_t keyframe_requests_sent = 0;  // PLI/FIR to publishers
  uint64_t keyframe_requests_throttled = 0;
  // Bandwidth allocation changes (BandwidthAllocator::Stats): paused, a cheaper step, a dearer one.
  uint64_t bandwidth_paused = 0, bandwidth_downgraded = 0, bandwidth_upgraded = 0;
  // Round trips to participants' browsers: on subscriber connections from
  // receiver reports of our SRs, on publisher connections from RTCP XR DLRR
  // answers to our RRTRs (RFC 3611 §4.5); how many, and their sum.
  uint64_t subscriber_round_trips = 0, subscriber_round_trip_us = 0;
  uint64_t publisher_round_trips = 0, publisher_round_trip_us = 0;
  // Data channel messages (DataChannels::Stats).
  uint64_t data_received = 0, data_delivered = 0;
  uint64_t data_dropped_not_allowed = 0, data_dropped_rate = 0, data_dropped_malformed = 0,
           data_dropped_undeliverable = 0;
  // Subscriber bandwidth estimation (SubscriberSendPath::Stats): packets
  // numbered with a transport-wide sequence number, what the browsers'
  // transport-cc feedback reported of them, and the feedback itself.
  uint64_t bwe_packets_sent = 0, bwe_packets_acked = 0, bwe_packets_lost = 0;
  uint64_t bwe_feedbacks = 0, bwe_feedbacks_malformed = 0;
  uint64_t bwe_probe_clusters_sent = 0;
  // The estimates of the live subscriber connections that have one, as
  // histogram buckets (estimate_buckets[i] counts those in
  // (kEstimateBuckets[i-1], kEstimateBuckets[i]], the last those above the
  // last bound), their count and sum: a snapshot, not a counter, so it is
  // filled from live connections only and never kept in a worker's totals.
  static constexpr std::array<double, 7> kEstimateBuckets = {100'000,   300'000,   600'000,  1'000'000,
                                                             2'000'000, 4'000'000, 8'000'000};
  std::array<uint64_t, kEstimateBuckets.size() + 1> estimate_buckets{};
  uint64_t estimates = 0, estimate_sum_bps = 0;
  void add_estimate(uint64_t bps);
  // RTCP feedback packets from subscribers' browsers about the tracks they receive.
  uint64_t nacks_received = 0, plis_received = 0, firs_received = 0;
  // Events.
  uint64_t rooms_created = 0;
  uint64_t participants_joined = 0;  // joins and rejoins (a resume is not one)
  uint64_t tracks_published = 0;
  // Distributions (after every counter), fed as things happen (never from live objects): time from
  // a media packet's arrival to its last copy handed to the send path, in
  // seconds; round trips measured on subscriber and publisher connections;
  // the interarrival jitter (RFC 3550 A.8) of publishers' streams each time
  // an RR reports it, in seconds.
  static constexpr std::array<double, 12> kForwardLatencyBounds = {
      0.000'025, 0.000'05, 0.000'1, 0.000'25, 0.000'5, 0.001, 0.002'5, 0.005, 0.01, 0.025, 0.05, 0.1};
  static constexpr std::array<double, 10> kRttBounds = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                        0.2,   0.4,  0.8,   1.6,  3.2};
  static constexpr std::array<double, 9> kJitterBounds = {0.001, 0.002, 0.005, 0.01, 0.02,
                                                          0.04,  0.08,  0.16,  0.32};
  BucketHistogram forward_latency{kForwardLatencyBounds};
  BucketHistogram subscriber_rtt{kRttBounds}, publisher_rtt{kRttBounds};
  BucketHistogram jitter{kJitterBounds};

  // SRTP/SRTCP counts of one transport (a lower layer, which knows nothing of these totals).
  void add(const webrtc::PeerTransport& transport);
  MediaCounters& operator+=(const MediaCounters& other);
};

}  // namespace ct::sfu
