#include "record/Vp8FrameAssembler.hpp"

#include <algorithm>

#include "rtp/Vp8Payload.hpp"

namespace ct::record {

Vp8FrameAssembler::Vp8FrameAssembler(Listener& listener, Limits limits)
    : listener_(listener),
      limits_{std::max<size_t>(limits.max_packets, 1), std::max<size_t>(limits.max_packet_bytes, 1),
              limits.max_wait_rtp},
      window_(limits_.max_packets, limits_.max_packet_bytes) {}

void Vp8FrameAssembler::push(uint16_t sequence_number, uint32_t timestamp, bool marker,
                             std::span<const uint8_t> payload) {
  const std::optional<rtp::Vp8Payload> vp8 = rtp::Vp8Payload::parse(payload);
  if (!vp8 || vp8->data.size() > limits_.max_packet_bytes) {
    ++stats_.invalid_packets;
    return;
  }
  const Packet packet{.timestamp = timestamp,
                      .marker = marker,
                      .starts_frame = vp8->starts_frame(),
                      .keyframe = vp8->keyframe};
  const std::optional<int64_t> sequence =
      window_.insert(sequence_number, packet, vp8->data, [this] { return give_up_on_head(); });
  copy_window_counts();
  if (!sequence) return;

  drain();
  // Still buffered, so the frame at the head waits for a packet: if this one
  // completed a keyframe, nothing before it is worth waiting for.
  if (*sequence >= window_.head()) jump_to_keyframe_with(*sequence);
  window_.drop_expired(limits_.max_wait_rtp, [this] { return give_up_on_head(); });
}

void Vp8FrameAssembler::finish() {
  window_.drop_all([this] { return give_up_on_head(); });
}

void Vp8FrameAssembler::copy_window_counts() {
  stats_.packets = window_.counts().stored;
  stats_.late_packets = window_.counts().late;
  stats_.duplicate_packets = window_.counts().duplicate;
}

bool Vp8FrameAssembler::give_up_on_head() {
  if (!drop_head_frame()) return false;
  drain();
  return true;
}

// Writes or skips every complete frame at the head, in order, and stops at
// the first one still missing a packet.
void Vp8FrameAssembler::drain() {
  while (window_.head() <= window_.highest()) {
    const int64_t head = window_.head();
    const Packet* first = window_.slot_at(head);
    if (!first) return;  // a retransmission may still bring it
    if (!first->starts_frame) {
      // The frame's first packet is lost or was dropped with its frame. At
      // the very start it may only be late.
      if (!window_.anchored()) return;
      drop_head_frame();
      continue;
    }
    int64_t last = head;
    bool malformed = false;
    for (;; ++last) {
      if (last > window_.highest()) return;
      const Packet* slot = window_.slot_at(last);
      if (!slot) return;
      // A new frame before the marker (§4.1: the marker ends every frame).
      if (slot->timestamp != first->timestamp || (last > head && slot->starts_frame)) {
        malformed = true;
        break;
      }
      if (slot->marker) break;
    }
    if (malformed) {
      drop_head_frame();
    } else if (!window_.anchored() && !first->keyframe) {
      return;  // no use to a decoder, but earlier packets may still come
    } else {
      complete_frame(head, last);
    }
  }
}

void Vp8FrameAssembler::complete_frame(int64_t first, int64_t last) {
  const Packet& start = *window_.slot_at(first);
  const Vp8Frame frame_info{start.timestamp, start.keyframe, uint16_t(first), uint16_t(last), {}};
  window_.advance_to(last + 1);
  if (need_keyframe_ && !frame_info.keyframe) {
    ++stats_.undecodable_frames;
    return;
  }
  need_keyframe_ = false;
  dropped_timestamp_.reset();
  frame_.clear();  // keeps its capacity: no allocation once the largest frame was seen
  for (int64_t sequence = first; sequence <= last; ++sequence) {
    const std::span<const uint8_t> data = window_.data_at(sequence);
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
  const std::optional<int64_t> first = window_.first_stored();
  if (!first) return false;
  const int64_t head = window_.head();
  const Packet& start = *window_.slot_at(*first);
  need_keyframe_ = true;
  if (*first > head && start.starts_frame) {
    // Only whole frames are missing before it (none of their packets came,
    // so they are not counted); the frame at `first` may still be complete.
    window_.advance_to(*first);
    return true;
  }
  const uint32_t timestamp = start.timestamp;
  const RtpPacketWindow::TimestampRun run = window_.timestamp_run_from(*first);
  if (dropped_timestamp_ != timestamp) {
    // Oversized: it starts at the head and fills the whole window without
    // a gap and without its marker, so no packet could complete it.
    const bool fills_window = window_.highest() - head + 1 >= int64_t(window_.capacity());
    const bool whole = *first == head && start.starts_frame && run.contiguous;
    if (whole && run.marked) {
      ++stats_.undecodable_frames;  // complete, kept waiting for packets before it
    } else if (whole && run.end > window_.highest() && fills_window) {
      ++stats_.oversized_frames;
    } else {
      ++stats_.incomplete_frames;
    }
  }
  dropped_timestamp_ = timestamp;
  window_.advance_to(run.end);
  return true;
}

void Vp8FrameAssembler::jump_to_keyframe_with(int64_t sequence) {
  const Packet* packet = window_.slot_at(sequence);
  if (!packet) return;
  const uint32_t timestamp = packet->timestamp;
  int64_t first = sequence;
  for (;; --first) {
    if (first <= window_.head()) return;  // the head frame itself: drain() decides
    const Packet* slot = window_.slot_at(first);
    if (!slot || slot->timestamp != timestamp) return;
    if (slot->starts_frame) break;
  }
  if (!window_.slot_at(first)->keyframe) return;
  for (int64_t last = sequence;; ++last) {
    if (last > window_.highest()) return;
    const Packet* slot = window_.slot_at(last);
    if (!slot || slot->timestamp != timestamp) return;
    if (slot->marker) break;
  }
  while (window_.head() < first) {
    if (!drop_head_frame()) return;
    drain();  // skips complete delta frames between, and writes the keyframe
  }
  drain();
}

}  // namespace ct::record
