#include "sfu/Publication.hpp"

#include <algorithm>
#include <array>

#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtcpReportBlock.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/ReceiveStreamStats.hpp"
#include "sfu/RetransmissionBuffer.hpp"
#include "sfu/Subscription.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {
namespace {
// About 1 s of 2.5 Mbit/s video in ~1200-byte packets: NACKs come within an RTT or two.
constexpr size_t kRetransmissionPackets = 1024;
constexpr Duration kRetransmissionMaxAge = milliseconds(1000);
// A NACK never grows past what fits one datagram with the SRTCP trailer.
constexpr size_t kMaxNackItems = 64;
}  // namespace

Publication::Publication(TrackInfo info, PublicationParams params, webrtc::PeerTransport& publisher_transport,
                         uint32_t rtcp_sender_ssrc, Duration keyframe_request_interval)
    : info_(std::move(info)),
      params_(std::move(params)),
      publisher_transport_(publisher_transport),
      rtcp_sender_ssrc_(rtcp_sender_ssrc),
      keyframe_throttle_(keyframe_request_interval),
      receive_stats_(std::make_unique<ReceiveStreamStats>(params_.clock_rate)) {
  if (params_.video) {
    retransmission_buffer_ =
        std::make_unique<RetransmissionBuffer>(kRetransmissionPackets, kRetransmissionMaxAge);
  }
  lost_.reserve(256);
}

Publication::~Publication() {
  if (params_.totals) add_counters(*params_.totals);
}

void Publication::set_muted(bool muted, TimePoint now) {
  if (info_.muted == muted) return;
  info_.muted = muted;
  if (!muted) {
    for (auto* s : subscriptions_) s->resync();
    request_keyframe(now);
  }
}

void Publication::set_ssrcs(uint32_t ssrc, uint32_t rtx_ssrc) {
  params_.ssrc = ssrc;
  params_.rtx_ssrc = rtx_ssrc;
}

void Publication::on_rtp(const rtp::RtpPacket& packet, TimePoint now) {
  ++stats_.packets_in;
  // A duplicate (an RTX copy of a packet that arrived anyway, a probe) goes nowhere.
  if (!receive_stats_->on_packet(packet.sequence_number(), packet.timestamp(), now, packet.size())) return;
  // Held back while muted, and not kept either: nothing a NACK could fetch.
  if (info_.muted) return;
  if (retransmission_buffer_) retransmission_buffer_->store(packet.bytes(), packet.sequence_number(), now);
  for (auto& tap : taps_) tap->on_packet_at(packet, now);
  for (auto* s : subscriptions_) s->forward(packet, now);
}

void Publication::add_tap(std::unique_ptr<PacketTap> tap) {
  if (tap) taps_.push_back(std::move(tap));
}

void Publication::remove_tap(const PacketTap* tap) {
  std::erase_if(taps_, [tap](const auto& t) { return t.get() == tap; });
}

void Publication::set_path_rtt(Duration rtt) { receive_stats_->set_rtt(rtt); }

void Publication::on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, TimePoint now) {
  receive_stats_->on_sender_report(ntp_timestamp, now);
  for (auto& tap : taps_) tap->on_sender_report(ntp_timestamp, rtp_timestamp, now);
}

void Publication::request_keyframe(TimePoint now) {
  if (!params_.video) return;
  // Until the publisher's SSRC is known there is no one to ask; on_tick asks later.
  if (params_.ssrc == 0 || !keyframe_throttle_.allow(now)) {
    // Held back: the one request on_tick sends when the interval is over serves it.
    ++stats_.keyframe_requests_throttled;
    keyframe_wanted_ = true;
    return;
  }
  send_keyframe_request();
}

void Publication::send_keyframe_request() {
  keyframe_wanted_ = false;
  std::array<uint8_t, 64> buffer;
  size_t length = rtp::RtcpPli::build(buffer, rtcp_sender_ssrc_, params_.ssrc);
  if (length && send_rtcp(buffer, length)) ++stats_.keyframe_requests_sent;
}

void Publication::on_tick(TimePoint now) {
  // Once per tick rather than per packet: the forwarding path stays as it was.
  for (auto& tap : taps_)
    if (tap->take_keyframe_request()) request_keyframe(now);
  if (keyframe_wanted_ && params_.ssrc != 0 && keyframe_throttle_.allow(now)) send_keyframe_request();
  if (!params_.nack || params_.ssrc == 0) return;
  lost_.clear();
  receive_stats_->collect_nacks(now, lost_);
  if (lost_.empty()) return;
  if (lost_.size() > kMaxNackItems * 17) lost_.resize(kMaxNackItems * 17);
  std::array<uint8_t, rtp::RtcpNack::size(kMaxNackItems) + 64> buffer;
  size_t length = rtp::RtcpNack::build(std::span<uint8_t>(buffer.data(), rtp::RtcpNack::size(kMaxNackItems)),
                                       rtcp_sender_ssrc_, params_.ssrc, lost_);
  if (length && send_rtcp(buffer, length)) ++stats_.nacks_sent;
}

std::optional<std::span<const uint8_t>> Publication::find_packet(uint16_t sequence_number,
                                                                 TimePoint now) const {
  if (!retransmission_buffer_) return std::nullopt;
  return retransmission_buffer_->find(sequence_number, now);
}

rtp::RtcpReportBlock Publication::make_report_block(TimePoint now) {
  return receive_stats_->make_report_block(params_.ssrc, now);
}

double Publication::loss_fraction() const { return receive_stats_->loss_fraction(); }

void Publication::add_subscription(Subscription& subscription) { subscriptions_.push_back(&subscription); }

void Publication::remove_subscription(Subscription& subscription) {
  std::erase(subscriptions_, &subscription);
}

void Publication::add_counters(MediaCounters& counters) const {
  counters.publication_packets_in += stats_.packets_in;
  counters.nacks_sent += stats_.nacks_sent;
  counters.keyframe_requests_sent += stats_.keyframe_requests_sent;
  counters.keyframe_requests_throttled += stats_.keyframe_requests_throttled;
}

bool Publication::send_rtcp(std::span<uint8_t> buffer, size_t length) {
  return publisher_transport_.send_rtcp(buffer, length);
}

}  // namespace ct::sfu
