#include "sfu/Subscription.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/Random.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/Rtx.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/Publication.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {

Subscription::Subscription(Publication& publication, webrtc::PeerTransport& transport,
                           SubscriptionParams params)
    : publication_(publication),
      transport_(transport),
      params_(std::move(params)),
      // RFC 3550 §5.1: sequence numbers and timestamps start at random values.
      rewriter_(uint16_t(random_u32()), random_u32()),
      rtx_sequence_number_(uint16_t(random_u32())),
      sender_report_(params_.ssrc, publication.params().clock_rate),
      drop_state_(params_.drop_seed | 1) {
  if (params_.drop_fraction > 0) {
    double f = std::min(params_.drop_fraction, 1.0);
    drop_threshold_ = f >= 1.0 ? UINT32_MAX : uint32_t(f * 4294967296.0);
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
  extension_ids_no_mid_ = extension_ids_;
  map(p.mid_id, negotiation.mid_id);
  bool was_active = active_;
  active_ = true;
  if (!was_active) publication_.request_keyframe(now);
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

size_t Subscription::rewrite(std::span<const uint8_t> packet, uint16_t sequence_number,
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
  rtp->set_timestamp(rewriter_.rewrite_timestamp(rtp->timestamp()));
  rtp->set_payload_type(params_.payload_type);
  return packet.size();
}

bool Subscription::forward(const rtp::RtpPacket& packet, TimePoint now) {
  if (!active_) return false;
  // The number is taken before fault injection, so an injected drop looks
  // like real loss to the subscriber (a gap it NACKs).
  uint16_t sequence_number = rewriter_.rewrite_sequence_number(packet.sequence_number());
  if (drop_for_fault_injection()) {
    ++stats_.dropped_by_fault_injection;
    return false;
  }
  std::array<uint8_t, kPacketBufferSize> buffer;  // left uninitialized: every byte sent is written first
  size_t length = rewrite(packet.bytes(), sequence_number, buffer);
  if (length == 0 || !transport_.send_rtp(buffer, length)) return false;
  sender_report_.on_packet_sent(rewriter_.rewrite_timestamp(packet.timestamp()), packet.payload().size(),
                                now);
  ++stats_.forwarded;
  return true;
}

bool Subscription::retransmit(uint16_t sequence_number, TimePoint now) {
  if (!active_ || !rewriter_.started()) return false;
  // Only numbers this subscriber was given: a NACK must never reveal a packet
  // it was not sent (e.g. one held back while the track was muted).
  if (!RtpStreamRewriter::is_newer(rewriter_.next_sequence_number(), sequence_number)) {
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
  auto stored = publication_.find_packet(rewriter_.original_sequence_number(sequence_number), now);
  if (!stored) {
    ++stats_.retransmissions_missing;
    return false;
  }
  std::array<uint8_t, kPacketBufferSize> media;
  size_t length = rewrite(*stored, sequence_number, media);
  if (length == 0) return false;
  bool sent = false;
  if (negotiation_.rtx && params_.rtx_payload_type && params_.rtx_ssrc != 0) {
    // RFC 4588 §4: the original packet behind its OSN, on our RTX SSRC and
    // payload type with a sequence space of its own.
    auto rtp = rtp::RtpPacket::parse(std::span<uint8_t>(media.data(), length));
    if (!rtp) return false;
    std::array<uint8_t, kPacketBufferSize + 2> rtx;
    size_t rtx_length =
        rtp::wrap_rtx(*rtp, params_.rtx_ssrc, *params_.rtx_payload_type, rtx_sequence_number_, rtx);
    if (rtx_length == 0 || rtx_length + 32 > rtx.size()) return false;
    ++rtx_sequence_number_;
    sent = transport_.send_rtp(rtx, rtx_length);
  } else {
    sent = transport_.send_rtp(media, length);
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
}

}  // namespace ct::sfu
