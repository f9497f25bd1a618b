#include "record/RtpPacketWindow.hpp"

#include <algorithm>
#include <cstring>

namespace ct::record {

namespace {
// The first packet's extended sequence number: far from zero, so the start
// may still move back and arithmetic stays positive.
constexpr int64_t kFirstExtendedBase = int64_t(1) << 32;
}  // namespace

RtpPacketWindow::RtpPacketWindow(size_t max_packets, size_t max_packet_bytes)
    : max_packet_bytes_(std::max<size_t>(max_packet_bytes, 1)),
      slots_(std::max<size_t>(max_packets, 1)),
      arena_(slots_.size() * max_packet_bytes_) {}

int64_t RtpPacketWindow::extend(uint16_t sequence_number) const {
  if (!started_) return kFirstExtendedBase + sequence_number;
  // A difference of up to half the space either way, across the wrap.
  const auto delta = int16_t(uint16_t(sequence_number - uint16_t(highest_)));
  return highest_ + delta;
}

std::optional<int64_t> RtpPacketWindow::admit(uint16_t sequence_number) {
  const int64_t sequence = extend(sequence_number);
  if (!started_) {
    started_ = true;
    head_ = highest_ = sequence;
  } else if (sequence < head_) {
    if (anchored_ || highest_ - sequence >= int64_t(slots_.size())) {
      ++counts_.late;
      return std::nullopt;
    }
    head_ = sequence;
  }
  if (slots_[index_of(sequence)].sequence == sequence) {
    ++counts_.duplicate;
    return std::nullopt;
  }
  return sequence;
}

bool RtpPacketWindow::store(int64_t sequence, Packet packet, std::span<const uint8_t> data) {
  if (data.size() > max_packet_bytes_ || sequence < head_ || !has_room_for(sequence)) return false;
  const size_t index = index_of(sequence);
  packet.sequence = sequence;
  packet.size = uint32_t(data.size());
  slots_[index] = packet;
  if (!data.empty()) std::memcpy(arena_.data() + index * max_packet_bytes_, data.data(), data.size());
  highest_ = std::max(highest_, sequence);
  ++counts_.stored;
  return true;
}

bool RtpPacketWindow::head_expired(uint32_t max_wait_rtp) const {
  if (max_wait_rtp == 0 || !started_) return false;
  const Packet* newest = slot_at(highest_);
  const std::optional<int64_t> first = first_stored();
  if (!newest || !first) return false;
  // Wrap-safe: timestamps of one stream stay within 2^31 of each other.
  const auto waited = int32_t(newest->timestamp - slot_at(*first)->timestamp);
  return waited > int32_t(max_wait_rtp);
}

const RtpPacketWindow::Packet* RtpPacketWindow::slot_at(int64_t sequence) const {
  const Packet& slot = slots_[index_of(sequence)];
  return slot.sequence == sequence ? &slot : nullptr;
}

std::span<const uint8_t> RtpPacketWindow::data_at(int64_t sequence) const {
  const size_t index = index_of(sequence);
  return std::span(arena_).subspan(index * max_packet_bytes_, slots_[index].size);
}

std::optional<int64_t> RtpPacketWindow::first_stored() const {
  for (int64_t sequence = head_; sequence <= highest_; ++sequence) {
    if (slot_at(sequence)) return sequence;
  }
  return std::nullopt;
}

RtpPacketWindow::TimestampRun RtpPacketWindow::timestamp_run_from(int64_t first) const {
  TimestampRun run;
  const Packet* start = slot_at(first);
  if (!start) {
    run.end = first;
    run.contiguous = false;
    return run;
  }
  const uint32_t timestamp = start->timestamp;
  for (run.end = first; run.end <= highest_; ++run.end) {
    const Packet* slot = slot_at(run.end);
    if (slot && slot->timestamp != timestamp) break;
    if (!slot) run.contiguous = false;
    if (slot && slot->marker) run.marked = true;
  }
  return run;
}

void RtpPacketWindow::advance_to(int64_t sequence) {
  anchored_ = true;
  head_ = std::max(head_, sequence);
}

}  // namespace ct::record
