#include "sfu/SimulcastRewriter.hpp"

#include <algorithm>

namespace ct::sfu {
namespace {
constexpr uint16_t kPictureIdMask = 0x7FFF;  // RFC 7741 §4.2: 15-bit PictureID wraps

bool picture_id_newer(uint16_t a, uint16_t b) {
  uint16_t d = uint16_t((a - b) & kPictureIdMask);
  return d != 0 && d < 0x4000;
}
}  // namespace

SimulcastRewriter::SimulcastRewriter(uint16_t first_sequence_number, uint32_t timestamp_offset,
                                     uint16_t first_picture_id, uint32_t clock_rate)
    : clock_rate_(clock_rate),
      timestamp_offset_(timestamp_offset),
      picture_id_offset_(0),
      first_picture_id_(uint16_t(first_picture_id & kPictureIdMask)),
      next_out_(first_sequence_number) {}

void SimulcastRewriter::set_target_layer(int layer) {
  target_ = layer;
  // Paused: nothing is sent, and sending again starts at a keyframe.
  if (layer == kNoLayer) current_ = kNoLayer;
}

void SimulcastRewriter::start_layer(const LayerPacket& packet, TimePoint now) {
  const auto& vp8 = packet.vp8;
  sequence_offset_ = uint16_t(next_out_ - packet.sequence_number);
  if (!started_) {
    if (vp8 && vp8->picture_id) picture_id_offset_ = uint16_t(first_picture_id_ - *vp8->picture_id);
    started_ = true;
  } else {
    // Each layer has its own random timestamp base: continue from the last
    // timestamp sent by the wall-clock time since, at least one tick, so
    // the receiver's playout sees neither a jump nor a step back.
    auto elapsed = std::chrono::duration_cast<microseconds>(now - last_sent_at_).count();
    uint64_t ticks = uint64_t(std::max<int64_t>(elapsed, 0)) * clock_rate_ / 1'000'000;
    ticks = std::clamp<uint64_t>(ticks, 1, uint64_t(clock_rate_) * 10);
    timestamp_offset_ = uint32_t(last_timestamp_ + ticks - packet.timestamp);
    if (vp8 && vp8->picture_id) picture_id_offset_ = uint16_t(last_picture_id_ + 1 - *vp8->picture_id);
    if (vp8 && vp8->tl0_pic_idx) tl0_offset_ = uint8_t(last_tl0_ + 1 - *vp8->tl0_pic_idx);
    ++stats_.switches;
  }
  ++generation_;
  current_ = packet.layer;
  highest_in_ = uint16_t(packet.sequence_number - 1);
  highest_picture_id_.reset();
}

SimulcastRewriter::Output SimulcastRewriter::make_output(const LayerPacket& packet, uint16_t out) const {
  Output o;
  o.sequence_number = out;
  o.timestamp = packet.timestamp + timestamp_offset_;
  if (packet.vp8 && packet.vp8->picture_id)
    o.picture_id = uint16_t((*packet.vp8->picture_id + picture_id_offset_) & kPictureIdMask);
  if (packet.vp8 && packet.vp8->tl0_pic_idx) o.tl0_pic_idx = uint8_t(*packet.vp8->tl0_pic_idx + tl0_offset_);
  return o;
}

std::optional<SimulcastRewriter::Output> SimulcastRewriter::rewrite(const LayerPacket& packet,
                                                                    TimePoint now) {
  if (target_ == kNoLayer) return std::nullopt;
  if (packet.layer != current_) {
    if (packet.layer != target_ || !packet.keyframe_start) return std::nullopt;
    start_layer(packet, now);
  }
  const uint16_t in = packet.sequence_number;
  const auto& vp8 = packet.vp8;
  const bool above_max_temporal =
      vp8 && vp8->temporal_id && *vp8->temporal_id > max_temporal_layer_ && !packet.keyframe_start;
  Inbound& slot = inbound_[in % kHistory];
  uint16_t out = 0;
  if (is_newer(in, highest_in_)) {
    // Numbers skipped on the way are real loss: each keeps its place, so a
    // late or retransmitted copy lands where the browser expects it.
    const uint16_t gap = uint16_t(in - highest_in_ - 1);
    if (gap < kHistory / 2) {
      for (uint16_t s = uint16_t(highest_in_ + 1); s != in; ++s)
        inbound_[s % kHistory] = Inbound{generation_, s, uint16_t(s + sequence_offset_), Fate::expected};
    }
    highest_in_ = in;
    if (above_max_temporal) {
      // The numbering closes over a dropped packet, and over a dropped
      // picture's PictureID, so the browser sees neither as loss.
      slot = Inbound{generation_, in, 0, Fate::dropped};
      --sequence_offset_;
      if (vp8->picture_id &&
          (!highest_picture_id_ || picture_id_newer(*vp8->picture_id, *highest_picture_id_))) {
        highest_picture_id_ = *vp8->picture_id;
        picture_id_offset_ = uint16_t(picture_id_offset_ - 1);
      }
      ++stats_.dropped_temporal;
      return std::nullopt;
    }
    out = uint16_t(in + sequence_offset_);
  } else {
    // Late: only a number this layer skipped over is still placeable.
    if (slot.generation != generation_ || slot.in != in || slot.fate != Fate::expected) return std::nullopt;
    if (above_max_temporal) {
      slot.fate = Fate::dropped;
      ++stats_.dropped_temporal;
      return std::nullopt;
    }
    out = slot.out;
  }
  slot = Inbound{generation_, in, out, Fate::sent};
  if (vp8 && vp8->picture_id &&
      (!highest_picture_id_ || picture_id_newer(*vp8->picture_id, *highest_picture_id_)))
    highest_picture_id_ = *vp8->picture_id;
  Output output = make_output(packet, out);
  note_sent(packet, output, now);
  return output;
}

void SimulcastRewriter::note_sent(const LayerPacket& packet, const Output& output, TimePoint now) {
  sent_[output.sequence_number % kHistory] = Sent{true, int8_t(packet.layer), packet.sequence_number, output};
  if (output.sequence_number != next_out_ && !is_newer(output.sequence_number, next_out_)) return;  // late
  next_out_ = uint16_t(output.sequence_number + 1);
  last_timestamp_ = output.timestamp;
  last_sent_at_ = now;
  if (output.picture_id) last_picture_id_ = *output.picture_id;
  if (output.tl0_pic_idx) last_tl0_ = *output.tl0_pic_idx;
}

std::optional<SimulcastRewriter::Origin> SimulcastRewriter::origin(uint16_t outbound_sequence_number) const {
  const Sent& s = sent_[outbound_sequence_number % kHistory];
  if (!s.valid || s.output.sequence_number != outbound_sequence_number) return std::nullopt;
  return Origin{s.layer, s.in, s.output};
}

}  // namespace ct::sfu
