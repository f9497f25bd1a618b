#pragma once
// Iterates the packets of a compound RTCP datagram (RFC 3550 §6.1), or of a
// reduced-size one (RFC 5506). Each header is checked; padding is allowed
// only on the last packet (§6.4.1). A malformed packet stops the iteration
// and is reported by malformed(); the packets before it stay usable.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

class RtcpCompound {
 public:
  explicit RtcpCompound(std::span<const uint8_t> datagram) : datagram_(datagram) {}

  // The next packet; nullopt at the end or at a malformed packet.
  std::optional<RtcpPacket> next();
  // True once iteration stopped before the end of the datagram.
  bool malformed() const { return malformed_; }
  // Where the next packet (or the malformed one) starts.
  size_t offset() const { return offset_; }

  // True if the datagram holds at least one packet and all are well formed.
  static bool validate(std::span<const uint8_t> datagram);

 private:
  std::span<const uint8_t> datagram_;
  size_t offset_ = 0;
  bool malformed_ = false;
};

}  // namespace ct::rtp
