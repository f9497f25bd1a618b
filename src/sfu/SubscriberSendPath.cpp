#include "sfu/SubscriberSendPath.hpp"

#include <algorithm>
#include <chrono>

#include "rtp/RtcpPacket.hpp"
#include "rtp/RtcpTransportCc.hpp"
#include "rtp/RtpExtensionSlot.hpp"
#include "rtp/RtpExtensions.hpp"
#include "sfu/MediaCounters.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {

SubscriberSendPath::SubscriberSendPath(webrtc::PeerTransport& transport,
                                       std::unique_ptr<bwe::SendSideBandwidthEstimator> estimator)
    : transport_(transport), estimator_(std::move(estimator)) {}

SubscriberSendPath::~SubscriberSendPath() = default;

bool SubscriberSendPath::send(std::span<uint8_t> buffer, size_t length, TimePoint now,
                              int32_t probe_cluster) {
  if (extension_id_ == 0 || buffer.size() < length + kSrtpRoom) return transport_.send_rtp(buffer, length);
  // The element is the publisher's one mapped to our id (overwritten), or
  // added here; the room SRTP needs is kept free.
  std::span<uint8_t> slot = rtp::extension_slot(buffer.first(buffer.size() - kSrtpRoom), length,
                                                extension_id_, kTransportSequenceNumberSize);
  if (slot.empty()) {
    ++stats_.unnumbered;
    return transport_.send_rtp(buffer, length);
  }
  // Numbered only when it leaves: a packet the transport refuses (not
  // connected) would look lost to the estimator.
  if (transport_.state() != webrtc::PeerTransport::State::Connected) return false;
  const uint16_t sequence_number = estimator_->on_packet_sent(uint32_t(length), now, probe_cluster);
  rtp::write_transport_sequence_number(slot, sequence_number);
  ++stats_.packets_sent;
  stats_.bytes_sent += length;
  if (probe_cluster != bwe::kNoProbeCluster) ++stats_.probe_packets_sent;
  const bool sent = transport_.send_rtp(buffer, length);
  if (probe_cluster == bwe::kNoProbeCluster && !probing_ && !estimator_->probe_plan().empty())
    send_probes(now);
  return sent;
}

void SubscriberSendPath::send_probes(TimePoint) {
  if (!padding_source_ || extension_id_ == 0 || probing_ || estimator_->probe_plan().empty()) return;
  if (transport_.state() != webrtc::PeerTransport::State::Connected) return;
  probing_ = true;
  for (size_t packets = 0; packets < kMaxProbePacketsPerCall; ++packets) {
    const auto plan = estimator_->probe_plan();
    if (plan.empty()) break;
    const bwe::ProbeCluster& cluster = plan.front();
    // Real send times: the estimator compares how fast the cluster left
    // with how fast it arrived.
    const TimePoint now = Clock::now();
    if (cluster.id() != probe_cluster_) {
      probe_cluster_ = cluster.id();
      probe_started_ = now;
      probe_bytes_ = 0;
    }
    // Paced at the cluster's rate: what is due by now, one packet ahead.
    const double elapsed_s = std::chrono::duration<double>(now - probe_started_).count();
    const double due = cluster.target_bps() * elapsed_s / 8;
    if (probe_bytes_ > 0 && double(probe_bytes_) >= due) break;
    const size_t left =
        cluster.min_bytes() > cluster.sent_bytes() ? cluster.min_bytes() - cluster.sent_bytes() : 1;
    const size_t sent = padding_source_->send_padding(std::min(left, kMaxPadding), cluster.id(), now);
    if (sent == 0) break;
    probe_bytes_ += sent;
    // A cluster leaves the plan once its packets and bytes are all out.
    const auto after = estimator_->probe_plan();
    if (after.empty() || after.front().id() != probe_cluster_) ++stats_.probe_clusters_sent;
  }
  probing_ = false;
}

void SubscriberSendPath::on_feedback(const rtp::RtcpPacket& packet, TimePoint now) {
  if (!estimator_) return;
  auto feedback = rtp::RtcpTransportCc::parse(packet);
  if (!feedback) {
    ++stats_.malformed_feedback;
    return;
  }
  estimator_->on_feedback(*feedback, now);
  ++stats_.feedbacks;
  stats_.packets_acked = estimator_->packets_received();
  stats_.packets_lost = estimator_->packets_lost();
}

void SubscriberSendPath::on_rtt(Duration rtt) {
  if (estimator_) estimator_->on_rtt(rtt);
}

std::optional<uint64_t> SubscriberSendPath::estimated_bitrate() const {
  if (!estimator_ || stats_.feedbacks == 0) return std::nullopt;
  return estimator_->target_bitrate();
}

void SubscriberSendPath::add_counters(MediaCounters& counters) const {
  counters.bwe_packets_sent += stats_.packets_sent;
  counters.bwe_packets_acked += stats_.packets_acked;
  counters.bwe_packets_lost += stats_.packets_lost;
  counters.bwe_feedbacks += stats_.feedbacks;
  counters.bwe_feedbacks_malformed += stats_.malformed_feedback;
  counters.bwe_probe_clusters_sent += stats_.probe_clusters_sent;
}

}  // namespace ct::sfu
