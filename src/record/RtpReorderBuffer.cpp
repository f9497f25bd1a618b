#include "record/RtpReorderBuffer.hpp"

#include <algorithm>
#include <cstring>

namespace ct::record {

RtpReorderBuffer::RtpReorderBuffer(Listener& listener, size_t capacity, size_t max_payload_bytes)
    : listener_(listener),
      max_payload_bytes_(std::max<size_t>(max_payload_bytes, 1)),
      slots_(std::max<size_t>(capacity, 1)),
      arena_(slots_.size() * max_payload_bytes_) {}

void RtpReorderBuffer::push(uint16_t sequence_number, uint32_t timestamp, std::span<const uint8_t> payload) {
  if (payload.size() > max_payload_bytes_) {
    ++stats_.oversized;
    return;
  }
  const auto window = int64_t(slots_.size());
  int64_t sequence;
  if (!started_) {
    started_ = true;
    sequence = head_ = highest_ = (int64_t(1) << 32) + sequence_number;  // far from zero: stays positive
  } else {
    // The nearer candidate around the highest seen, across the wrap (RFC 3550 A.1).
    sequence = highest_ + int16_t(uint16_t(sequence_number - uint16_t(highest_)));
  }
  if (sequence < head_) {
    // Until the first packet goes out, the start may still move back: the
    // first packets can come out of order too.
    if (anchored_ || highest_ - sequence >= window) {
      ++stats_.late;
      return;
    }
    head_ = sequence;
  }
  // Make room: the window holds head_ .. head_ + capacity - 1.
  while (sequence - head_ >= window) {
    if (highest_ < head_) {  // nothing buffered: skip straight on
      stats_.lost += uint64_t(sequence - window + 1 - head_);
      head_ = sequence - window + 1;
      break;
    }
    release_head();
  }
  const size_t index = size_t(sequence) % slots_.size();
  Slot& slot = slots_[index];
  if (slot.sequence == sequence) {
    ++stats_.duplicates;
    return;
  }
  slot = Slot{sequence, timestamp, uint32_t(payload.size())};
  std::memcpy(arena_.data() + index * max_payload_bytes_, payload.data(), payload.size());
  highest_ = std::max(highest_, sequence);
  if (!anchored_) {
    if (highest_ - head_ < window / 2) return;
    anchored_ = true;
  }
  while (head_ <= highest_ && slots_[size_t(head_) % slots_.size()].sequence == head_) release_head();
}

void RtpReorderBuffer::finish() {
  anchored_ = true;
  while (started_ && head_ <= highest_) release_head();
}

void RtpReorderBuffer::release_head() {
  anchored_ = true;
  const size_t index = size_t(head_) % slots_.size();
  Slot& slot = slots_[index];
  if (slot.sequence == head_) {
    ++stats_.packets;
    slot.sequence = -1;
    listener_.on_ordered_packet(
        {uint16_t(head_), slot.timestamp, std::span(arena_).subspan(index * max_payload_bytes_, slot.size)});
  } else {
    ++stats_.lost;
  }
  ++head_;
}

}  // namespace ct::record
