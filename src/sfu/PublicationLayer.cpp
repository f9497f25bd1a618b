#include "sfu/PublicationLayer.hpp"

#include "sfu/ReceiveStreamStats.hpp"
#include "sfu/RetransmissionBuffer.hpp"

namespace ct::sfu {
namespace {
// About 1 s of 2.5 Mbit/s video in ~1200-byte packets: NACKs come within an RTT or two.
constexpr size_t kRetransmissionPackets = 1024;
constexpr Duration kRetransmissionMaxAge = milliseconds(1000);
}  // namespace

PublicationLayer::PublicationLayer(std::string rid, uint32_t clock_rate, bool keep_packets,
                                   Duration keyframe_request_interval)
    : rid_(std::move(rid)),
      receive_stats_(std::make_unique<ReceiveStreamStats>(clock_rate)),
      keyframe_throttle_(keyframe_request_interval) {
  if (keep_packets)
    retransmission_buffer_ =
        std::make_unique<RetransmissionBuffer>(kRetransmissionPackets, kRetransmissionMaxAge);
}

PublicationLayer::~PublicationLayer() = default;

bool PublicationLayer::on_packet(std::span<const uint8_t> bytes, uint16_t sequence_number, uint32_t timestamp,
                                 TimePoint now) {
  ++stats_.packets_in;
  received_ = true;
  last_packet_ = now;
  return receive_stats_->on_packet(sequence_number, timestamp, now, bytes.size());
}

void PublicationLayer::store(std::span<const uint8_t> bytes, uint16_t sequence_number, TimePoint now) {
  if (retransmission_buffer_) retransmission_buffer_->store(bytes, sequence_number, now);
}

void PublicationLayer::on_keyframe(uint16_t width, uint16_t height, TimePoint now) {
  ++stats_.keyframes_in;
  last_keyframe_ = now;
  if (width != 0 && height != 0) {
    width_ = width;
    height_ = height;
  }
}

void PublicationLayer::on_sender_report(uint64_t ntp_timestamp, TimePoint now) {
  receive_stats_->on_sender_report(ntp_timestamp, now);
}

void PublicationLayer::set_rtt(Duration rtt) { receive_stats_->set_rtt(rtt); }

bool PublicationLayer::allow_keyframe_request(TimePoint now) {
  // Until the SSRC is known there is no one to ask; the request waits.
  if (ssrc_ == 0 || !keyframe_throttle_.allow(now)) {
    ++stats_.keyframe_requests_throttled;
    keyframe_wanted_ = true;
    return false;
  }
  keyframe_wanted_ = false;
  return true;
}

bool PublicationLayer::keyframe_owed(TimePoint now) {
  if (!keyframe_wanted_ || ssrc_ == 0 || !keyframe_throttle_.allow(now)) return false;
  keyframe_wanted_ = false;
  return true;
}

void PublicationLayer::collect_nacks(TimePoint now, std::vector<uint16_t>& out) {
  if (ssrc_ == 0) return;
  receive_stats_->collect_nacks(now, out);
}

std::optional<std::span<const uint8_t>> PublicationLayer::find_packet(uint16_t sequence_number,
                                                                      TimePoint now) const {
  if (!retransmission_buffer_) return std::nullopt;
  return retransmission_buffer_->find(sequence_number, now);
}

rtp::RtcpReportBlock PublicationLayer::make_report_block(TimePoint now) {
  return receive_stats_->make_report_block(ssrc_, now);
}

double PublicationLayer::loss_fraction() const { return receive_stats_->loss_fraction(); }

}  // namespace ct::sfu
