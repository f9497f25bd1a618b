#include "sfu/Subscription.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/Endian.hpp"
#include "core/Random.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "rtp/Rtx.hpp"
#include "rtp/Vp8Payload.hpp"
#include "sfu/LayerPacket.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/Publication.hpp"
#include "sfu/PublicationLayer.hpp"
#include "sfu/SubscriberSendPath.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {

Subscription::Subscription(Publication& publication, webrtc::PeerTransport& transport,
                           SubscriptionParams params)
    : publication_(publication),
      transport_(transport),
      params_(std::move(params)),
      // RFC 3550 §5.1: sequence numbers and timestamps start at random values.
      rewriter_(random_sequence_start(), random_u32()),
      rtx_sequence_number_(random_sequence_start()),
      sender_report_(params_.ssrc, publication.params().clock_rate),
      drop_state_(params_.drop_seed | 1) {
  if (params_.drop_fraction > 0) {
    double f = std::min(params_.drop_fraction, 1.0);
    drop_threshold_ = f >= 1.0 ? UINT32_MAX : uint32_t(f * 4294967296.0);
  }
  if (publication_.simulcast()) {
    simulcast_ = std::make_unique<SimulcastRewriter>(
        random_sequence_start(), random_u32(), uint16_t(random_u32()), publication_.params().clock_rate);
    desired_layer_ = int(publication_.layer_count()) - 1;
    viewer_layer_ = desired_layer_;
  }
  publication_.add_subscription(*this);
}

Subscription::~Subscription() {
  if (params_.totals) add_counters(*params_.totals);
  publication_.remove_subscription(*this);
}

void Subscription::activate(const SubscriptionNegotiation& negotiation, TimePoint now) {
  negotiation_ = negotiation;
  // Header extensions are local to each session (RFC 8285 §5): map the
  // publisher's ids to ours and drop every extension the subscriber did not
  // accept.
  const auto& p = publication_.params();
  extension_ids_ = rtp::RtpExtensionIdMap();
  auto map = [&](uint8_t from, uint8_t to) {
    if (from != 0 && to != 0) extension_ids_.set(from, to);
  };
  map(p.audio_level_id, negotiation.audio_level_id);
  map(p.abs_send_time_id, negotiation.abs_send_time_id);
  // The publisher's transport-wide number takes our id; the send path writes ours over it.
  map(p.transport_cc_id, negotiation.transport_cc_id);
  extension_ids_no_mid_ = extension_ids_;
  map(p.mid_id, negotiation.mid_id);
  bool was_active = active_;
  if (!was_active) choose_layer(now);  // before active_: the request below is the one keyframe request
  active_ = true;
  if (!was_active) request_keyframe(now);
}

void Subscription::request_keyframe(TimePoint now) {
  if (!simulcast_) return publication_.request_keyframe(now);
  int layer = simulcast_->switch_pending() ? simulcast_->target_layer() : simulcast_->current_layer();
  if (layer != SimulcastRewriter::kNoLayer) publication_.request_keyframe(size_t(layer), now);
}

void Subscription::update_settings(const TrackSettings& settings, TimePoint now) {
  settings_ = settings;
  choose_layer(now);
}

void Subscription::set_budget_max_layer(int layer, TimePoint now) {
  budget_max_layer_ = layer;
  choose_layer(now);
}

void Subscription::set_paused(bool paused, TimePoint now) {
  if (paused == paused_) return;
  paused_ = paused;
  if (simulcast_) return choose_layer(now);  // paused: no layer; resumed: at the target's keyframe
  if (paused) return;
  // What was held back is not loss: continue the numbering, from a keyframe.
  rewriter_.resync();
  await_keyframe_ = true;
  if (active_) publication_.request_keyframe(now);
}

int Subscription::desired_layer() const { return simulcast_ ? desired_layer_ : 0; }

int Subscription::current_layer() const { return simulcast_ ? simulcast_->current_layer() : 0; }

int Subscription::target_layer() const { return simulcast_ ? simulcast_->target_layer() : 0; }

void Subscription::choose_layer(TimePoint now) {
  if (!simulcast_) return;
  std::array<LayerSelector::Layer, Publication::kMaxLayers> layers;
  const size_t count = std::min(publication_.layer_count(), layers.size());
  // The layers start one after another: until each had its chance, one not
  // seen yet counts as coming, so a start does not pass through them all.
  const auto first = publication_.first_packet();
  const bool starting = !first || now - *first < PublicationLayer::kLiveWindow;
  for (size_t i = 0; i < count; ++i) {
    const PublicationLayer& l = publication_.layer(i);
    layers[i] = LayerSelector::Layer{l.width(), l.height(), l.live(now) || (starting && !l.received())};
  }
  const std::span<const LayerSelector::Layer> view(layers.data(), count);
  LayerSelector::Viewer viewer{settings_.width, settings_.height, settings_.visible, settings_.max_layer};
  viewer_layer_ = LayerSelector::desired(view, viewer);
  desired_layer_ =
      paused_ ? LayerSelector::kNoLayer : LayerSelector::desired(view, viewer, budget_max_layer_);
  const int target = LayerSelector::target(view, desired_layer_);
  if (target == simulcast_->target_layer()) return;
  simulcast_->set_target_layer(target);
  // RFC 4585 §6.3.1: the new layer can only be joined at a keyframe; ask for one.
  if (active_ && simulcast_->switch_pending()) {
    publication_.request_keyframe(size_t(target), now);
    switch_requested_at_ = now;
  }
}

void Subscription::on_tick(TimePoint now) {
  if (!simulcast_ || !active_) return;
  choose_layer(now);
  if (simulcast_->switch_pending() && now - switch_requested_at_ >= kSwitchKeyframeRetry) {
    publication_.request_keyframe(size_t(simulcast_->target_layer()), now);
    switch_requested_at_ = now;
  }
}

bool Subscription::drop_for_fault_injection() {
  if (drop_threshold_ == 0) return false;
  // xorshift64*: deterministic for a given seed, so a test sees the same losses every run.
  drop_state_ ^= drop_state_ >> 12;
  drop_state_ ^= drop_state_ << 25;
  drop_state_ ^= drop_state_ >> 27;
  uint32_t draw = uint32_t((drop_state_ * 0x2545F4914F6CDD1DULL) >> 32);
  return draw < drop_threshold_;
}

size_t Subscription::rewrite(std::span<const uint8_t> packet, uint16_t sequence_number, uint32_t timestamp,
                             std::span<uint8_t> buffer) {
  if (packet.size() > buffer.size()) return 0;
  std::memcpy(buffer.data(), packet.data(), packet.size());
  auto rtp = rtp::RtpPacket::parse(buffer.first(packet.size()));
  if (!rtp) return 0;
  if (rtp->has_extension()) {
    // The MID element names the publisher's m-section (RFC 8843 §15); ours is
    // written over it when it has the same length, otherwise it is dropped
    // and the subscriber demultiplexes by our signaled SSRC.
    const auto& p = publication_.params();
    bool keep_mid = false;
    if (p.mid_id != 0 && negotiation_.mid_id != 0) {
      keep_mid = rtp->find_extension(p.mid_id).size() == params_.mid.size();
    }
    if (!rtp->rewrite_extension_ids(keep_mid ? extension_ids_ : extension_ids_no_mid_)) return 0;
    if (keep_mid) {
      auto data = rtp->find_extension(negotiation_.mid_id);
      if (data.size() == params_.mid.size()) std::memcpy(data.data(), params_.mid.data(), data.size());
    }
  }
  rtp->set_ssrc(params_.ssrc);
  rtp->set_sequence_number(sequence_number);
  rtp->set_timestamp(timestamp);
  rtp->set_payload_type(params_.payload_type);
  return packet.size();
}

size_t Subscription::rewrite_layer(std::span<const uint8_t> packet, const SimulcastRewriter::Output& output,
                                   std::span<uint8_t> buffer) {
  size_t length = rewrite(packet, output.sequence_number, output.timestamp, buffer);
  if (length == 0 || (!output.picture_id && !output.tl0_pic_idx)) return length;
  auto rtp = rtp::RtpPacket::parse(buffer.first(length));
  if (!rtp) return 0;
  auto vp8 = rtp::Vp8Payload::parse(rtp->payload());
  if (!vp8) return 0;
  if (output.picture_id) rtp::Vp8Payload::write_picture_id(rtp->payload(), *vp8, *output.picture_id);
  if (output.tl0_pic_idx) rtp::Vp8Payload::write_tl0_pic_idx(rtp->payload(), *vp8, *output.tl0_pic_idx);
  return length;
}

bool Subscription::send_media(std::span<uint8_t> buffer, size_t length, uint32_t timestamp,
                              size_t payload_size, TimePoint now) {
  if (length == 0 || !send_rtp(buffer, length, now)) return false;
  sender_report_.on_packet_sent(timestamp, payload_size, now);
  last_timestamp_ = timestamp;
  ++stats_.forwarded;
  return true;
}

bool Subscription::forward(const rtp::RtpPacket& packet, const LayerPacket& described, TimePoint now) {
  if (!simulcast_) {
    if (paused_ || (await_keyframe_ && !described.keyframe_start)) return false;
    await_keyframe_ = false;
    return forward(packet, now);
  }
  if (!active_) return false;
  // A keyframe of another layer may be one to switch to now that it is sent
  // (a layer resumed): choose again before it passes.
  if (described.keyframe_start && described.layer != simulcast_->target_layer()) choose_layer(now);
  const uint64_t switches = simulcast_->stats().switches;
  auto output = simulcast_->rewrite(described, now);
  if (!output) return false;
  stats_.layer_switches += simulcast_->stats().switches - switches;
  if (drop_for_fault_injection()) {
    ++stats_.dropped_by_fault_injection;
    return false;
  }
  std::array<uint8_t, kPacketBufferSize> buffer;  // left uninitialized: every byte sent is written first
  size_t length = rewrite_layer(packet.bytes(), *output, buffer);
  return send_media(buffer, length, output->timestamp, packet.payload().size(), now);
}

bool Subscription::forward(const rtp::RtpPacket& packet, TimePoint now) {
  if (!active_ || paused_) return false;
  // The number is taken before fault injection, so an injected drop looks
  // like real loss to the subscriber (a gap it NACKs).
  uint16_t sequence_number = rewriter_.rewrite_sequence_number(packet.sequence_number());
  if (drop_for_fault_injection()) {
    ++stats_.dropped_by_fault_injection;
    return false;
  }
  std::array<uint8_t, kPacketBufferSize> buffer;  // left uninitialized: every byte sent is written first
  const uint32_t timestamp = rewriter_.rewrite_timestamp(packet.timestamp());
  size_t length = rewrite(packet.bytes(), sequence_number, timestamp, buffer);
  return send_media(buffer, length, timestamp, packet.payload().size(), now);
}

bool Subscription::retransmit(uint16_t sequence_number, TimePoint now) {
  const bool started = simulcast_ ? simulcast_->started() : rewriter_.started();
  if (!active_ || !started) return false;
  const uint16_t next = simulcast_ ? simulcast_->next_sequence_number() : rewriter_.next_sequence_number();
  // Only numbers this subscriber was given: a NACK must never reveal a packet
  // it was not sent (e.g. one held back while the track was muted).
  if (!RtpStreamRewriter::is_newer(next, sequence_number)) {
    ++stats_.retransmissions_limited;
    return false;
  }
  // RFC 4585 §6.2.1 feedback may repeat a NACK before the first resend could
  // arrive; a number resent moments ago is not sent again, and the budget
  // caps what a storm of NACKs can make the server send.
  const size_t slot = sequence_number % kResentSlots;
  if (resent_at_[slot] != TimePoint{} && resent_number_[slot] == sequence_number &&
      now - resent_at_[slot] < kMinResendInterval) {
    ++stats_.retransmissions_limited;
    return false;
  }
  if (!retransmit_budget_.try_take(now)) {
    ++stats_.retransmissions_limited;
    return false;
  }
  resent_number_[slot] = sequence_number;
  resent_at_[slot] = now;
  std::array<uint8_t, kPacketBufferSize> media;
  size_t length = 0;
  if (simulcast_) {
    // The layer and number it was made from, and the numbers it was sent with.
    auto origin = simulcast_->origin(sequence_number);
    auto stored = origin
                      ? publication_.find_packet(size_t(origin->layer), origin->inbound_sequence_number, now)
                      : std::nullopt;
    if (!stored) {
      ++stats_.retransmissions_missing;
      return false;
    }
    length = rewrite_layer(*stored, origin->output, media);
  } else {
    auto stored = publication_.find_packet(rewriter_.original_sequence_number(sequence_number), now);
    if (!stored) {
      ++stats_.retransmissions_missing;
      return false;
    }
    if (stored->size() < 12) return false;  // RFC 3550 §5.1: the timestamp is bytes 4-7
    length =
        rewrite(*stored, sequence_number, rewriter_.rewrite_timestamp(load_u32(stored->data() + 4)), media);
  }
  if (length == 0) return false;
  return retransmit_media(media, length, now);
}

size_t Subscription::send_padding(size_t padding, int32_t cluster, TimePoint now) {
  if (!active_ || !params_.send_path || !negotiation_.rtx || !params_.rtx_payload_type ||
      params_.rtx_ssrc == 0 || !last_timestamp_ || padding == 0 || padding > 255) {
    return 0;
  }
  std::array<uint8_t, 12 + 255 + 8 + 32> packet;
  const size_t length = rtp::RtpPacketBuilder()
                            .payload_type(*params_.rtx_payload_type)
                            .sequence_number(rtx_sequence_number_)
                            .timestamp(*last_timestamp_)
                            .ssrc(params_.rtx_ssrc)
                            .padding(uint8_t(padding))
                            .build(packet);
  if (length == 0) return 0;
  const size_t before = params_.send_path->stats().bytes_sent;
  if (!params_.send_path->send(packet, length, now, cluster)) return 0;
  ++rtx_sequence_number_;
  return size_t(params_.send_path->stats().bytes_sent - before);
}

bool Subscription::send_rtp(std::span<uint8_t> buffer, size_t length, TimePoint now) {
  if (params_.send_path) return params_.send_path->send(buffer, length, now);
  return transport_.send_rtp(buffer, length);
}

bool Subscription::retransmit_media(std::span<uint8_t> media, size_t length, TimePoint now) {
  bool sent = false;
  if (negotiation_.rtx && params_.rtx_payload_type && params_.rtx_ssrc != 0) {
    // RFC 4588 §4: the original packet behind its OSN, on our RTX SSRC and
    // payload type with a sequence space of its own.
    auto rtp = rtp::RtpPacket::parse(std::span<uint8_t>(media.data(), length));
    if (!rtp) return false;
    // Room for the RTX header's OSN and a transport-wide element the send path may add.
    std::array<uint8_t, kPacketBufferSize + 2 + 8> rtx;
    size_t rtx_length =
        rtp::wrap_rtx(*rtp, params_.rtx_ssrc, *params_.rtx_payload_type, rtx_sequence_number_, rtx);
    if (rtx_length == 0 || rtx_length + 32 > rtx.size()) return false;
    ++rtx_sequence_number_;
    sent = send_rtp(rtx, rtx_length, now);
  } else {
    sent = send_rtp(media, length, now);
  }
  if (sent) ++stats_.retransmitted;
  return sent;
}

bool Subscription::is_new_fir(uint8_t command_sequence_number) {
  if (last_fir_sequence_number_ == command_sequence_number) return false;
  last_fir_sequence_number_ = command_sequence_number;
  return true;
}

bool Subscription::allow_keyframe_request(TimePoint now) {
  if (keyframe_requests_.allow(now)) return true;
  ++stats_.keyframe_requests_limited;
  return false;
}

size_t Subscription::build_sender_report(std::span<uint8_t> out, TimePoint now) {
  return sender_report_.build(out, now, std::chrono::system_clock::now());
}

void Subscription::add_counters(MediaCounters& counters) const {
  counters.forwarded += stats_.forwarded;
  counters.retransmitted += stats_.retransmitted;
  counters.retransmissions_missing += stats_.retransmissions_missing;
  counters.retransmissions_limited += stats_.retransmissions_limited;
  counters.keyframe_requests_throttled += stats_.keyframe_requests_limited;
  counters.dropped_by_fault_injection += stats_.dropped_by_fault_injection;
  counters.layer_switches += stats_.layer_switches;
  counters.nacks_received += stats_.nacks_received;
  counters.plis_received += stats_.plis_received;
  counters.firs_received += stats_.firs_received;
}

}  // namespace ct::sfu
