#pragma once
// Recent packets of one inbound stream, kept so NACKs (RFC 4585 §6.2.1) can be
// answered from the server instead of asking the publisher again. A ring of
// preallocated slots indexed by sequence number: store and find never
// allocate.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/Clock.hpp"

namespace ct::sfu {

class RetransmissionBuffer {
 public:
  // Large enough for any packet that fits a 1500-byte MTU.
  static constexpr size_t kSlotSize = 1500;
  // One slot per possible sequence number at most.
  static constexpr size_t kMaxCapacity = 65536;

  // `capacity` is rounded up to a power of two (at least 1, at most 65536).
  explicit RetransmissionBuffer(size_t capacity = 1024, Duration max_age = milliseconds(1000));

  // Copies the packet into the slot of its sequence number, replacing what
  // was there. Packets larger than kSlotSize are not stored.
  void store(std::span<const uint8_t> plain_rtp_packet, uint16_t sequence_number, TimePoint now);
  // The stored packet with this sequence number if held and younger than
  // max_age. The view stays valid until the slot is overwritten or cleared.
  std::optional<std::span<const uint8_t>> find(uint16_t sequence_number, TimePoint now) const;
  void clear();

  size_t capacity() const { return slots_.size(); }
  Duration max_age() const { return max_age_; }

 private:
  struct Slot {
    TimePoint stored_at{};
    uint16_t sequence_number = 0;
    uint16_t size = 0;
    bool used = false;
  };

  std::vector<Slot> slots_;
  // capacity() * kSlotSize bytes, left uninitialised: a slot's bytes are
  // read only after store() wrote them, and untouched pages cost nothing.
  std::unique_ptr<uint8_t[]> storage_;
  size_t mask_ = 0;
  Duration max_age_;
};

}  // namespace ct::sfu
