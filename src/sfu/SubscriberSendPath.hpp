#pragma once
// Everything a subscriber connection sends goes out here: each RTP packet
// (forwarded media, RTX, padding) gets the connection's next transport-wide
// sequence number in the transport-cc header extension
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), written after
// the subscription's rewrite and before SRTP, and is recorded with its send
// time and size in the send-side bandwidth estimator. The browser's
// transport-cc feedback (§3.1) and round trips come back here, and the
// estimate is what the connection can carry. One numbering per connection:
// the browser's feedback covers every packet of the 5-tuple.
//
// Without estimation (the option off, or the answer did not keep the
// extension) packets go straight to the transport. Single-threaded, and
// nothing is allocated per packet or per feedback.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "bwe/PacketResult.hpp"
#include "bwe/SendSideBandwidthEstimator.hpp"
#include "core/Clock.hpp"

namespace ct::rtp {
class RtcpPacket;
}
namespace ct::webrtc {
class PeerTransport;
}

namespace ct::sfu {

struct MediaCounters;

class SubscriberSendPath {
 public:
  // Sends padding for a probe: padding-only RTX packets of a video stream.
  class PaddingSource {
   public:
    virtual ~PaddingSource() = default;
    // One packet with up to `padding` bytes of RTP padding, sent through
    // this path for `cluster`; returns the bytes sent, 0 when no stream can
    // carry it (no video subscription with RTX, or none sent yet).
    virtual size_t send_padding(size_t padding, int32_t cluster, TimePoint now) = 0;
  };

  // A padding packet carries at most this much (RFC 3550 §5.1: the count is one byte).
  static constexpr size_t kMaxPadding = 255;
  // Probe packets sent in one go at most (the rest follow on later sends).
  static constexpr size_t kMaxProbePacketsPerCall = 16;

  // The SRTP tag and MKI room a packet must leave free after it (RFC 7714 §7).
  static constexpr size_t kSrtpRoom = 32;
  // The version 01 element: a 16-bit sequence number.
  static constexpr size_t kTransportSequenceNumberSize = 2;

  struct Stats {
    uint64_t packets_sent = 0;        // numbered and recorded
    uint64_t bytes_sent = 0;          // their RTP sizes, headers included
    uint64_t unnumbered = 0;          // sent without a number: no room to add the element
    uint64_t feedbacks = 0;           // transport-cc feedback handed to the estimator
    uint64_t malformed_feedback = 0;  // dropped: did not parse
    uint64_t packets_acked = 0;       // reported received by the feedback
    uint64_t packets_lost = 0;        // reported lost (and not received later)
    uint64_t probe_packets_sent = 0;
    uint64_t probe_clusters_sent = 0;  // clusters whose planned packets all went out
  };

  // `estimator` null: no estimation, packets are only sent.
  SubscriberSendPath(webrtc::PeerTransport& transport,
                     std::unique_ptr<bwe::SendSideBandwidthEstimator> estimator);
  ~SubscriberSendPath();
  SubscriberSendPath(const SubscriberSendPath&) = delete;
  SubscriberSendPath& operator=(const SubscriberSendPath&) = delete;

  // The answer kept the extension under `id` (0: it did not; nothing is numbered).
  void set_extension_id(uint8_t id) { extension_id_ = estimator_ ? id : 0; }
  uint8_t extension_id() const { return extension_id_; }
  bool numbering() const { return extension_id_ != 0; }

  // Numbers the RTP packet in the first `length` bytes of `buffer` (the
  // rest is room: the element may have to be added, and SRTP needs
  // kSrtpRoom) and sends it. Probe packets name their cluster. False if the
  // transport did not send it.
  bool send(std::span<uint8_t> buffer, size_t length, TimePoint now,
            int32_t probe_cluster = bwe::kNoProbeCluster);

  // An RTPFB FMT 15 packet from the browser.
  void on_feedback(const rtp::RtcpPacket& packet, TimePoint now);
  void on_rtt(Duration rtt);

  // Probing: the clusters the estimator plans are sent as padding from
  // `source`, paced at each cluster's rate by the clock (Clock::now(), the
  // send times the estimator measures with). Called after every media
  // packet and on the connection's tick, so a 15 ms cluster goes out in
  // several steps even though the tick is coarser.
  void set_padding_source(PaddingSource* source) { padding_source_ = source; }
  void send_probes(TimePoint now);
  // What the connection's tracks could use at most: probing stops there.
  void set_wanted_bitrate(uint64_t bps) {
    if (estimator_) estimator_->set_wanted_bitrate(bps);
  }

  // Bits per second the connection can carry; nullopt before the first feedback.
  std::optional<uint64_t> estimated_bitrate() const;
  const bwe::SendSideBandwidthEstimator* estimator() const { return estimator_.get(); }
  bwe::SendSideBandwidthEstimator* estimator() { return estimator_.get(); }
  const Stats& stats() const { return stats_; }
  // Adds these stats to the worker's /metrics counters.
  void add_counters(MediaCounters& counters) const;

 private:
  webrtc::PeerTransport& transport_;
  std::unique_ptr<bwe::SendSideBandwidthEstimator> estimator_;
  uint8_t extension_id_ = 0;
  PaddingSource* padding_source_ = nullptr;
  bool probing_ = false;                          // inside send_probes: its own packets do not call it again
  int32_t probe_cluster_ = bwe::kNoProbeCluster;  // the cluster being sent
  TimePoint probe_started_{};
  uint64_t probe_bytes_ = 0;  // sent for it so far
  Stats stats_;
};

}  // namespace ct::sfu
