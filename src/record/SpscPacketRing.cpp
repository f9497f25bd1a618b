#include "record/SpscPacketRing.hpp"

#include <bit>

namespace ct::record {

SpscPacketRing::SpscPacketRing(size_t slots, size_t slot_bytes)
    : slots_(std::bit_ceil(slots < 2 ? size_t(2) : slots)),
      mask_(slots_ - 1),
      slot_bytes_(slot_bytes),
      // Written before read, never read unwritten: no need to zero them.
      data_(std::make_unique_for_overwrite<uint8_t[]>(slots_ * slot_bytes_)),
      meta_(std::make_unique<Meta[]>(slots_)) {}

}  // namespace ct::record
