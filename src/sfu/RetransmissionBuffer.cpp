#include "sfu/RetransmissionBuffer.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ct::sfu {

RetransmissionBuffer::RetransmissionBuffer(size_t capacity, Duration max_age) : max_age_(max_age) {
  const size_t rounded = std::bit_ceil(std::clamp<size_t>(capacity, 1, kMaxCapacity));
  slots_.resize(rounded);
  storage_ = std::make_unique_for_overwrite<uint8_t[]>(rounded * kSlotSize);
  mask_ = rounded - 1;
}

void RetransmissionBuffer::store(std::span<const uint8_t> plain_rtp_packet, uint16_t sequence_number,
                                 TimePoint now) {
  if (plain_rtp_packet.empty() || plain_rtp_packet.size() > kSlotSize) return;
  const size_t index = sequence_number & mask_;
  std::memcpy(&storage_[index * kSlotSize], plain_rtp_packet.data(), plain_rtp_packet.size());
  slots_[index] = Slot{now, sequence_number, uint16_t(plain_rtp_packet.size()), true};
}

std::optional<std::span<const uint8_t>> RetransmissionBuffer::find(uint16_t sequence_number,
                                                                   TimePoint now) const {
  const size_t index = sequence_number & mask_;
  const Slot& slot = slots_[index];
  // The slot may hold a packet from another cycle of the same index.
  if (!slot.used || slot.sequence_number != sequence_number) return std::nullopt;
  if (now - slot.stored_at >= max_age_) return std::nullopt;
  return std::span<const uint8_t>(&storage_[index * kSlotSize], slot.size);
}

void RetransmissionBuffer::clear() {
  for (Slot& slot : slots_) slot.used = false;
}

}  // namespace ct::sfu
