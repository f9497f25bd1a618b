#include "sfu/Publication.hpp"

#include <algorithm>
#include <array>

#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/LayerPacket.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/PublicationLayer.hpp"
#include "sfu/PublicationRelay.hpp"
#include "sfu/PublisherFeedback.hpp"
#include "sfu/Subscription.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {
namespace {
// A NACK never grows past what fits one datagram with the SRTCP trailer.
constexpr size_t kMaxNackItems = 64;
}  // namespace

Publication::Publication(TrackInfo info, PublicationParams params, webrtc::PeerTransport& publisher_transport,
                         uint32_t rtcp_sender_ssrc, Duration keyframe_request_interval)
    : Publication(std::move(info), std::move(params), &publisher_transport, nullptr, rtcp_sender_ssrc,
                  keyframe_request_interval) {}

Publication::Publication(TrackInfo info, PublicationParams params, PublisherFeedback& feedback,
                         uint32_t rtcp_sender_ssrc, Duration keyframe_request_interval)
    : Publication(std::move(info), std::move(params), nullptr, &feedback, rtcp_sender_ssrc,
                  keyframe_request_interval) {}

Publication::Publication(TrackInfo info, PublicationParams params, webrtc::PeerTransport* publisher_transport,
                         PublisherFeedback* feedback, uint32_t rtcp_sender_ssrc,
                         Duration keyframe_request_interval)
    : info_(std::move(info)),
      params_(std::move(params)),
      publisher_transport_(publisher_transport),
      feedback_(feedback),
      rtcp_sender_ssrc_(rtcp_sender_ssrc) {
  if (params_.rids.size() > kMaxLayers) params_.rids.resize(kMaxLayers);
  const size_t count = std::max<size_t>(1, params_.rids.size());
  for (size_t i = 0; i < count; ++i) {
    layers_.push_back(std::make_unique<PublicationLayer>(i < params_.rids.size() ? params_.rids[i] : "",
                                                         params_.clock_rate, params_.video,
                                                         keyframe_request_interval));
  }
  layers_[0]->set_ssrcs(params_.ssrc, params_.rtx_ssrc);
  announced_layers_ = (1u << count) - 1;  // the publisher starts with every encoding active
  lost_.reserve(256);
}

Publication::~Publication() {
  // A relay may remove itself (or another) while told: walk a copy.
  const std::vector<PublicationRelay*> relays = std::move(relays_);
  relays_.clear();
  for (auto* relay : relays) relay->on_relay_closed(*this);
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

void Publication::set_ssrcs(uint32_t ssrc, uint32_t rtx_ssrc) { set_layer_ssrcs(0, ssrc, rtx_ssrc); }

void Publication::set_layer_ssrcs(size_t layer, uint32_t ssrc, uint32_t rtx_ssrc) {
  if (layer >= layers_.size()) return;
  layers_[layer]->set_ssrcs(ssrc, rtx_ssrc);
  if (layer == 0) {
    params_.ssrc = ssrc;
    params_.rtx_ssrc = rtx_ssrc;
  }
}

int Publication::layer_of_rid(std::string_view rid) const {
  for (size_t i = 0; i < params_.rids.size(); ++i)
    if (params_.rids[i] == rid) return int(i);
  return -1;
}

int Publication::layer_of_ssrc(uint32_t ssrc, bool& is_rtx) const {
  if (ssrc == 0) return -1;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i]->ssrc() == ssrc) {
      is_rtx = false;
      return int(i);
    }
    if (layers_[i]->rtx_ssrc() == ssrc) {
      is_rtx = true;
      return int(i);
    }
  }
  return -1;
}

void Publication::on_rtp(const rtp::RtpPacket& packet, size_t layer_index, TimePoint now, TimePoint arrival) {
  ++stats_.packets_in;
  if (layer_index >= layers_.size()) return;
  if (!first_packet_) first_packet_ = now;
  PublicationLayer& layer = *layers_[layer_index];
  // A duplicate (an RTX copy of a packet that arrived anyway, a probe) goes nowhere.
  if (!layer.on_packet(packet.bytes(), packet.sequence_number(), packet.timestamp(), arrival)) return;
  // Held back while muted, and not kept either: nothing a NACK could fetch.
  if (info_.muted) return;
  layer.store(packet.bytes(), packet.sequence_number(), now);
  for (auto* relay : relays_) relay->on_relay_packet(packet, layer_index, now);
  if (!params_.video) {
    layer.count_forwarded(packet.bytes().size(), 0, now);
    for (auto& tap : taps_) tap->on_packet_at(packet, now);
    bool sent = false;
    for (auto* s : subscriptions_) sent |= s->forward(packet, now);
    count_forward_latency(sent, now);
    return;
  }
  // Read once here for every subscription: layer, keyframe, VP8 fields.
  const LayerPacket described = LayerPacket::describe(
      params_.codec_name, int(layer_index), packet.sequence_number(), packet.timestamp(), packet.payload());
  layer.count_forwarded(packet.bytes().size(),
                        described.vp8 && described.vp8->temporal_id ? *described.vp8->temporal_id : 0, now);
  if (described.keyframe_start) {
    layer.on_keyframe(described.vp8 ? described.vp8->width : 0, described.vp8 ? described.vp8->height : 0,
                      now);
  }
  if (layer_index == tap_layer()) {
    for (auto& tap : taps_) tap->on_packet_at(packet, now);
  }
  bool sent = false;
  for (auto* s : subscriptions_) sent |= s->forward(packet, described, now);
  count_forward_latency(sent, now);
}

void Publication::count_forward_latency(bool sent, TimePoint received) {
  // The arrival time is the one the receive already read: one clock read per forwarded packet.
  if (sent && params_.totals)
    params_.totals->forward_latency.observe(std::chrono::duration<double>(Clock::now() - received).count());
}

void Publication::add_tap(std::unique_ptr<PacketTap> tap) {
  if (tap) taps_.push_back(std::move(tap));
}

void Publication::remove_tap(const PacketTap* tap) {
  std::erase_if(taps_, [tap](const auto& t) { return t.get() == tap; });
}

void Publication::add_relay(PublicationRelay& relay) {
  if (std::find(relays_.begin(), relays_.end(), &relay) == relays_.end()) relays_.push_back(&relay);
}

void Publication::remove_relay(PublicationRelay& relay) { std::erase(relays_, &relay); }

void Publication::set_path_rtt(Duration rtt) {
  for (auto& l : layers_) l->set_rtt(rtt);
}

void Publication::on_sender_report(size_t layer, uint64_t ntp_timestamp, uint32_t rtp_timestamp,
                                   TimePoint now) {
  if (layer >= layers_.size()) return;
  layers_[layer]->on_sender_report(ntp_timestamp, now);
  // The taps see the layer they record (a recording places its tracks on one clock).
  if (layer == tap_layer()) {
    for (auto& tap : taps_) tap->on_sender_report(ntp_timestamp, rtp_timestamp, now);
  }
}

void Publication::request_keyframe(TimePoint now) {
  for (size_t i = 0; i < layers_.size(); ++i) request_keyframe(i, now);
}

void Publication::request_keyframe(size_t index, TimePoint now) {
  if (!params_.video || index >= layers_.size()) return;
  PublicationLayer& layer = *layers_[index];
  // Held back (throttled, or the SSRC is not known yet): the one request
  // on_tick sends when it may serves it.
  if (layer.allow_keyframe_request(now)) send_keyframe_request(layer);
}

void Publication::send_keyframe_request(PublicationLayer& layer) {
  std::array<uint8_t, 64> buffer;
  size_t length = rtp::RtcpPli::build(buffer, rtcp_sender_ssrc_, layer.ssrc());
  if (length && send_rtcp(buffer, length)) layer.note_keyframe_request_sent();
}

void Publication::on_tick(TimePoint now) {
  // Once per tick rather than per packet: the forwarding path stays as it was.
  for (auto& tap : taps_)
    if (tap->take_keyframe_request()) request_keyframe(tap_layer(), now);
  for (auto& layer : layers_) {
    if (layer->keyframe_owed(now)) send_keyframe_request(*layer);
    if (!params_.nack) continue;
    lost_.clear();
    layer->collect_nacks(now, lost_);
    if (lost_.empty()) continue;
    if (lost_.size() > kMaxNackItems * 17) lost_.resize(kMaxNackItems * 17);
    std::array<uint8_t, rtp::RtcpNack::size(kMaxNackItems) + 64> buffer;
    size_t length =
        rtp::RtcpNack::build(std::span<uint8_t>(buffer.data(), rtp::RtcpNack::size(kMaxNackItems)),
                             rtcp_sender_ssrc_, layer->ssrc(), lost_);
    if (length && send_rtcp(buffer, length)) layer->note_nack_sent();
  }
}

std::optional<std::span<const uint8_t>> Publication::find_packet(size_t layer, uint16_t sequence_number,
                                                                 TimePoint now) const {
  if (layer >= layers_.size()) return std::nullopt;
  return layers_[layer]->find_packet(sequence_number, now);
}

double Publication::loss_fraction() const {
  double worst = 0;
  for (const auto& l : layers_) worst = std::max(worst, l->loss_fraction());
  return worst;
}

uint32_t Publication::wanted_layers() const {
  uint32_t mask = 0;
  for (const auto* s : subscriptions_) {
    if (!s->active()) continue;
    // The layer a viewer wants, and the one it gets until that one comes
    // (the encoder may not send it, for bandwidth): pausing that would
    // leave the viewer with nothing.
    for (int wanted : {s->desired_layer(), s->current_layer()}) {
      if (wanted >= 0 && size_t(wanted) < layers_.size()) mask |= 1u << wanted;
    }
    // The lowest layer stays on while anyone watches: it is what a viewer
    // whose bandwidth drops falls to at once (a paused one would first have
    // to be resumed by the encoder, and until then the viewer would be sent
    // a dearer layer than its link carries).
    mask |= 1u;
  }
  // A recording takes the top layer whoever watches.
  if (!taps_.empty()) mask |= 1u << tap_layer();
  // Another node's subscribers pick their layers there, among those it wants.
  for (const auto* relay : relays_) mask |= relay->wanted_layers() & ((1u << layers_.size()) - 1);
  return mask;
}

std::optional<uint32_t> Publication::take_layers_wanted_change(TimePoint now) {
  if (!simulcast()) return std::nullopt;
  const uint32_t wanted = wanted_layers();
  if (wanted == announced_layers_) {
    unwanted_pending_ = false;
    return std::nullopt;
  }
  // Newly wanted layers resume at once (with the unwanted ones kept on).
  if ((wanted & ~announced_layers_) != 0) {
    announced_layers_ |= wanted;
    unwanted_pending_ = false;
    return announced_layers_;
  }
  if (!unwanted_pending_) {
    unwanted_pending_ = true;
    unwanted_since_ = now;
    return std::nullopt;
  }
  if (now - unwanted_since_ < kLayerUnwantedDelay) return std::nullopt;
  unwanted_pending_ = false;
  announced_layers_ = wanted;
  return announced_layers_;
}

void Publication::add_subscription(Subscription& subscription) { subscriptions_.push_back(&subscription); }

void Publication::remove_subscription(Subscription& subscription) {
  std::erase(subscriptions_, &subscription);
}

Publication::Stats Publication::stats() const {
  Stats total;
  total.packets_in = stats_.packets_in;
  for (const auto& l : layers_) {
    total.keyframe_requests_sent += l->stats().keyframe_requests_sent;
    total.keyframe_requests_throttled += l->stats().keyframe_requests_throttled;
    total.nacks_sent += l->stats().nacks_sent;
  }
  return total;
}

void Publication::add_counters(MediaCounters& counters) const {
  const Stats s = stats();
  counters.publication_packets_in += s.packets_in;
  counters.nacks_sent += s.nacks_sent;
  counters.keyframe_requests_sent += s.keyframe_requests_sent;
  counters.keyframe_requests_throttled += s.keyframe_requests_throttled;
}

bool Publication::send_rtcp(std::span<uint8_t> buffer, size_t length) {
  return publisher_transport_ ? publisher_transport_->send_rtcp(buffer, length)
                              : feedback_->send_rtcp(buffer, length);
}

}  // namespace ct::sfu
