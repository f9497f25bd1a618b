#include "record/Vp8FrameAssembler.hpp"

#include <algorithm>
#include <cstring>

#include "rtp/Vp8Payload.hpp"

namespace ct::record {

namespace {
// The first packet's extended sequence number: far from zero, so the start
// may still move back and arithmetic stays positive.
constexpr int64_t kFirstExtendedBase = int64_t(1) << 32;
}  // namespace

Vp8FrameAssembler::Vp8FrameAssembler(Listener& listener, Limits limits)
    : listener_(listener),
      limits_{std::max<size_t>(limits.max_packets, 1), std::max<size_t>(limits.max_packet_bytes, 1),
              limits.max_wait_rtp},
      slots_(limits_.max_packets),
      arena_(limits_.max_packets * limits_.max_packet_bytes) {}

int64_t Vp8FrameAssembler::extend(uint16_t sequence_number) const {
  if (!started_) return kFirstExtendedBase + sequence_number;
  // The nearer of the candidates around the highest one seen (RFC 3550 A.1):
  // a difference of up to half the space either way, across the wrap.
  const auto delta = int16_t(uint16_t(sequence_number - uint16_t(highest_)));
  return highest_ + delta;
}

const Vp8FrameAssembler::Slot* Vp8FrameAssembler::slot_at(int64_t sequence) const {
  const Slot& slot = slots_[size_t(sequence) % slots_.size()];
  return slot.sequence == sequence ? &slot : nullptr;
}

std::span<const uint8_t> Vp8FrameAssembler::data_at(int64_t sequence) const {
  const size_t index = size_t(sequence) % slots_.size();
  return std::span(arena_).subspan(index * limits_.max_packet_bytes, slots_[index].size);
}

void Vp8FrameAssembler::push(uint16_t sequence_number, uint32_t timestamp, bool marker,
                             std::span<const uint8_t> payload) {
  const std::optional<rtp::Vp8Payload> vp8 = rtp::Vp8Payload::parse(payload);
  if (!vp8 || vp8->data.size() > limits_.max_packet_bytes) {
    ++stats_.invalid_packets;
    return;
  }
  const int64_t sequence = extend(sequence_number);
  if (!started_) {
    started_ = true;
    head_ = highest_ = sequence;
  } else if (sequence < head_) {
    if (anchored_ || highest_ - sequence >= int64_t(slots_.size())) {
      ++stats_.late_packets;
      return;
    }
    head_ = sequence;
  } else if (sequence > highest_) {
    make_room_for(sequence);
  }
  Slot& slot = slots_[size_t(sequence) % slots_.size()];
  if (slot.sequence == sequence) {
    ++stats_.duplicate_packets;
    return;
  }
  ++stats_.packets;
  slot = Slot{sequence, timestamp, uint32_t(vp8->data.size()), marker, vp8->starts_frame(), vp8->keyframe};
  std::memcpy(arena_.data() + (size_t(sequence) % slots_.size()) * limits_.max_packet_bytes, vp8->data.data(),
              vp8->data.size());
  highest_ = std::max(highest_, sequence);

  drain();
  // Still buffered, so the frame at the head waits for a packet: if this one
  // completed a keyframe, nothing before it is worth waiting for.
  if (sequence >= head_) jump_to_keyframe_with(sequence);
  drop_expired();
}

// Gives up on the frame at the head once the newest packet is more than
// max_wait_rtp after it: a retransmission would have come by now.
void Vp8FrameAssembler::drop_expired() {
  if (limits_.max_wait_rtp == 0 || !started_) return;
  while (head_ <= highest_) {
    const Slot* newest = slot_at(highest_);
    int64_t first = head_;
    while (first <= highest_ && !slot_at(first)) ++first;
    if (!newest || first > highest_) return;
    // Wrap-safe: timestamps of one stream stay within 2^31 of each other.
    const auto waited = int32_t(newest->timestamp - slot_at(first)->timestamp);
    if (waited <= int32_t(limits_.max_wait_rtp)) return;
    if (!drop_head_frame()) return;
    drain();
  }
}

void Vp8FrameAssembler::finish() {
  while (started_ && head_ <= highest_) {
    if (!drop_head_frame()) break;
    drain();
  }
}

// The window holds the sequence numbers head_ .. head_ + max_packets - 1;
// older frames make way, whatever they are still waiting for.
void Vp8FrameAssembler::make_room_for(int64_t sequence) {
  const auto window = int64_t(slots_.size());
  while (sequence - head_ >= window) {
    if (!drop_head_frame()) {
      head_ = sequence - window + 1;  // nothing left buffered
      return;
    }
    drain();
  }
}

// Writes or skips every complete frame at the head, in order, and stops at
// the first one still missing a packet.
void Vp8FrameAssembler::drain() {
  while (head_ <= highest_) {
    const Slot* first = slot_at(head_);
    if (!first) return;  // a retransmission may still bring it
    if (!first->starts_frame) {
      // The frame's first packet is lost or was dropped with its frame. At
      // the very start it may only be late.
      if (!anchored_) return;
      drop_head_frame();
      continue;
    }
    int64_t last = head_;
    bool malformed = false;
    for (;; ++last) {
      if (last > highest_) return;
      const Slot* slot = slot_at(last);
      if (!slot) return;
      // A new frame before the marker (§4.1: the marker ends every frame).
      if (slot->timestamp != first->timestamp || (last > head_ && slot->starts_frame)) {
        malformed = true;
        break;
      }
      if (slot->marker) break;
    }
    if (malformed) {
      drop_head_frame();
    } else if (!anchored_ && !first->keyframe) {
      return;  // no use to a decoder, but earlier packets may still come
    } else {
      complete_frame(head_, last);
    }
  }
}

void Vp8FrameAssembler::complete_frame(int64_t first, int64_t last) {
  const Slot& start = *slot_at(first);
  const Vp8Frame frame_info{start.timestamp, start.keyframe, uint16_t(first), uint16_t(last), {}};
  anchored_ = true;
  head_ = last + 1;
  if (need_keyframe_ && !frame_info.keyframe) {
    ++stats_.undecodable_frames;
    return;
  }
  need_keyframe_ = false;
  dropped_timestamp_.reset();
  frame_.clear();  // keeps its capacity: no allocation once the largest frame was seen
  for (int64_t sequence = first; sequence <= last; ++sequence) {
    const std::span<const uint8_t> data = data_at(sequence);
    frame_.insert(frame_.end(), data.begin(), data.end());
  }
  ++stats_.frames;
  Vp8Frame frame = frame_info;
  frame.data = frame_;
  listener_.on_vp8_frame(frame);
}

// Gives up on what the head waits for: drops the frame of the first
// buffered packet at or after the head with the missing sequence numbers
// around it, or, when that packet starts a frame, only the missing ones
// before it. False when nothing is buffered.
bool Vp8FrameAssembler::drop_head_frame() {
  int64_t first = head_;
  while (first <= highest_ && !slot_at(first)) ++first;
  if (first > highest_) return false;
  const Slot& start = *slot_at(first);
  need_keyframe_ = true;
  anchored_ = true;
  if (first > head_ && start.starts_frame) {
    // Only whole frames are missing before it (none of their packets came,
    // so they are not counted); the frame at `first` may still be complete.
    head_ = first;
    return true;
  }
  const uint32_t timestamp = start.timestamp;

  int64_t end = first;
  bool contiguous = true, marked = false;
  for (; end <= highest_; ++end) {
    const Slot* slot = slot_at(end);
    if (slot && slot->timestamp != timestamp) break;
    if (!slot) contiguous = false;
    if (slot && slot->marker) marked = true;
  }
  if (dropped_timestamp_ != timestamp) {
    // Oversized: it starts at the head and fills the whole window without
    // a gap and without its marker, so no packet could complete it.
    const bool fills_window = highest_ - head_ + 1 >= int64_t(slots_.size());
    const bool whole = first == head_ && start.starts_frame && contiguous;
    if (whole && marked) {
      ++stats_.undecodable_frames;  // complete, kept waiting for packets before it
    } else if (whole && end > highest_ && fills_window) {
      ++stats_.oversized_frames;
    } else {
      ++stats_.incomplete_frames;
    }
  }
  dropped_timestamp_ = timestamp;
  head_ = end;
  return true;
}

void Vp8FrameAssembler::jump_to_keyframe_with(int64_t sequence) {
  const Slot* packet = slot_at(sequence);
  if (!packet) return;
  const uint32_t timestamp = packet->timestamp;
  int64_t first = sequence;
  for (;; --first) {
    if (first <= head_) return;  // the head frame itself: drain() decides
    const Slot* slot = slot_at(first);
    if (!slot || slot->timestamp != timestamp) return;
    if (slot->starts_frame) break;
  }
  if (!slot_at(first)->keyframe) return;
  for (int64_t last = sequence;; ++last) {
    if (last > highest_) return;
    const Slot* slot = slot_at(last);
    if (!slot || slot->timestamp != timestamp) return;
    if (slot->marker) break;
  }
  while (head_ < first) {
    if (!drop_head_frame()) return;
    drain();  // skips complete delta frames between, and writes the keyframe
  }
  drain();
}

}  // namespace ct::record
