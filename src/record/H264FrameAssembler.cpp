#include "record/H264FrameAssembler.hpp"

#include <algorithm>
#include <cstring>

#include "rtp/H264Payload.hpp"

namespace ct::record {

namespace {
constexpr int64_t kFirstExtendedBase = int64_t(1) << 32;  // far from zero: the start may move back
constexpr uint8_t kStartCode[] = {0, 0, 0, 1};            // Annex B §B.1.1, a zero_byte and the prefix
}  // namespace

H264FrameAssembler::H264FrameAssembler(Listener& listener, Limits limits)
    : listener_(listener),
      limits_{std::max<size_t>(limits.max_packets, 1), std::max<size_t>(limits.max_packet_bytes, 1),
              limits.max_wait_rtp},
      slots_(limits_.max_packets),
      arena_(limits_.max_packets * limits_.max_packet_bytes) {}

const H264FrameAssembler::Slot* H264FrameAssembler::slot_at(int64_t sequence) const {
  const Slot& slot = slots_[size_t(sequence) % slots_.size()];
  return slot.sequence == sequence ? &slot : nullptr;
}

std::span<const uint8_t> H264FrameAssembler::data_at(int64_t sequence) const {
  const size_t index = size_t(sequence) % slots_.size();
  return std::span(arena_).subspan(index * limits_.max_packet_bytes, slots_[index].size);
}

void H264FrameAssembler::push(uint16_t sequence_number, uint32_t timestamp, bool marker,
                              std::span<const uint8_t> payload) {
  if (payload.size() > limits_.max_packet_bytes || !rtp::H264Payload::parse(payload)) {
    ++stats_.invalid_packets;
    return;
  }
  // The nearer candidate around the highest seen, across the wrap (RFC 3550 A.1).
  const int64_t sequence = started_ ? highest_ + int16_t(uint16_t(sequence_number - uint16_t(highest_)))
                                    : kFirstExtendedBase + sequence_number;
  if (!started_) {
    started_ = true;
    head_ = highest_ = sequence;
  } else if (sequence < head_) {
    if (anchored_ || highest_ - sequence >= int64_t(slots_.size())) {
      ++stats_.late_packets;
      return;
    }
    head_ = sequence;  // the first packets may come out of order too
  } else if (sequence > highest_) {
    make_room_for(sequence);
  }
  const size_t index = size_t(sequence) % slots_.size();
  if (slots_[index].sequence == sequence) {
    ++stats_.duplicate_packets;
    return;
  }
  ++stats_.packets;
  slots_[index] = Slot{sequence, timestamp, uint32_t(payload.size()), marker};
  std::memcpy(arena_.data() + index * limits_.max_packet_bytes, payload.data(), payload.size());
  highest_ = std::max(highest_, sequence);
  drain();
  drop_expired();
}

void H264FrameAssembler::finish() {
  while (started_ && head_ <= highest_) {
    drain();
    if (head_ <= highest_ && !drop_head_frame()) break;
  }
}

void H264FrameAssembler::make_room_for(int64_t sequence) {
  const auto window = int64_t(slots_.size());
  while (sequence - head_ >= window) {
    if (!drop_head_frame()) {
      head_ = sequence - window + 1;  // nothing left buffered
      return;
    }
    drain();
  }
}

// Writes or skips every complete frame at the head, in order; stops at the
// first one still missing a packet.
void H264FrameAssembler::drain() {
  while (head_ <= highest_) {
    const Slot* first = slot_at(head_);
    if (!first) return;  // a retransmission may still bring it
    int64_t last = head_;
    for (;; ++last) {
      if (last > highest_) return;
      const Slot* slot = slot_at(last);
      if (!slot) return;
      if (slot->timestamp != first->timestamp) {
        // The timestamp changed before a marker: the frame's end is lost
        // or it never had one. Either way it cannot be trusted.
        drop_head_frame();
        break;
      }
      if (slot->marker) {
        complete_frame(head_, last);
        break;
      }
    }
  }
}

void H264FrameAssembler::append_nal(std::span<const uint8_t> nal) {
  frame_.insert(frame_.end(), std::begin(kStartCode), std::end(kStartCode));
  frame_.insert(frame_.end(), nal.begin(), nal.end());
}

void H264FrameAssembler::complete_frame(int64_t first, int64_t last) {
  anchored_ = true;
  head_ = last + 1;
  const uint32_t timestamp = slot_at(first)->timestamp;
  // Keeps their capacity: no allocation once the largest frame was seen.
  frame_.clear();
  parameter_sets_.clear();
  bool malformed = false, in_fragment = false, idr = false, sps = false, pps = false;
  int first_nal_type = -1;
  auto note = [&](uint8_t type) {
    if (first_nal_type < 0) first_nal_type = type;
    idr |= type == rtp::h264_nal::kIdrSlice;
  };
  for (int64_t sequence = first; sequence <= last && !malformed; ++sequence) {
    const auto payload = rtp::H264Payload::parse(data_at(sequence));
    if (!payload) {  // checked when stored
      malformed = true;
      break;
    }
    if (payload->kind == rtp::H264Payload::Kind::FuA) {
      // §5.8: S on the first fragment, E on the last, nothing else in between.
      if (payload->fragment_start == in_fragment) {
        malformed = true;
        break;
      }
      if (payload->fragment_start) {
        note(rtp::H264Payload::nal_type(payload->fragmented_nal_header));
        frame_.insert(frame_.end(), std::begin(kStartCode), std::end(kStartCode));
        frame_.push_back(payload->fragmented_nal_header);
      }
      frame_.insert(frame_.end(), payload->fragment.begin(), payload->fragment.end());
      in_fragment = !payload->fragment_end;
      continue;
    }
    if (in_fragment) {
      malformed = true;
      break;
    }
    payload->for_each_nal([&](std::span<const uint8_t> nal) {
      const uint8_t type = rtp::H264Payload::nal_type(nal[0]);
      note(type);
      append_nal(nal);
      if (type == rtp::h264_nal::kSps || type == rtp::h264_nal::kPps) {
        sps |= type == rtp::h264_nal::kSps;
        pps |= type == rtp::h264_nal::kPps;
        parameter_sets_.insert(parameter_sets_.end(), std::begin(kStartCode), std::end(kStartCode));
        parameter_sets_.insert(parameter_sets_.end(), nal.begin(), nal.end());
      }
    });
  }
  if (malformed || in_fragment) {
    ++stats_.malformed_frames;
    need_keyframe_ = true;
    return;
  }
  const bool starts_decoding =
      idr && sps && pps &&
      (first_nal_type == rtp::h264_nal::kSps || first_nal_type == rtp::h264_nal::kAccessUnitDelimiter);
  if (need_keyframe_ && !starts_decoding) {
    ++stats_.undecodable_frames;
    return;
  }
  need_keyframe_ = false;
  ++stats_.frames;
  listener_.on_h264_frame(H264Frame{timestamp, idr, frame_, parameter_sets_});
}

// Gives up on what the head waits for: the first buffered packet's frame
// and the missing sequence numbers around it, up to the next buffered
// packet of another timestamp. False when nothing is buffered.
bool H264FrameAssembler::drop_head_frame() {
  int64_t first = head_;
  while (first <= highest_ && !slot_at(first)) ++first;
  if (first > highest_) return false;
  const uint32_t timestamp = slot_at(first)->timestamp;
  int64_t end = first;
  while (end <= highest_) {
    const Slot* slot = slot_at(end);
    if (slot && slot->timestamp != timestamp) break;
    ++end;
  }
  if (!dropped_any_ || dropped_timestamp_ != timestamp) ++stats_.incomplete_frames;
  dropped_any_ = true;
  dropped_timestamp_ = timestamp;
  need_keyframe_ = true;
  anchored_ = true;
  head_ = end;
  return true;
}

// Gives up on the frame at the head once the newest packet is more than
// max_wait_rtp after it: a retransmission would have come by now.
void H264FrameAssembler::drop_expired() {
  if (limits_.max_wait_rtp == 0) return;
  while (head_ <= highest_) {
    const Slot* newest = slot_at(highest_);
    int64_t first = head_;
    while (first <= highest_ && !slot_at(first)) ++first;
    if (!newest || first > highest_) return;
    const auto waited = int32_t(newest->timestamp - slot_at(first)->timestamp);  // wrap-safe
    if (waited <= int32_t(limits_.max_wait_rtp)) return;
    if (!drop_head_frame()) return;
    drain();
  }
}

}  // namespace ct::record
