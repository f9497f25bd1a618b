#include "rtp/RtcpCompound.hpp"

namespace ct::rtp {

std::optional<RtcpPacket> RtcpCompound::next() {
  if (malformed_ || offset_ >= datagram_.size()) return std::nullopt;
  const std::span<const uint8_t> rest = datagram_.subspan(offset_);
  std::optional<RtcpPacket> packet = RtcpPacket::parse(rest);
  // RFC 3550 §6.4.1: only the last packet of a compound may be padded.
  if (!packet || (packet->has_padding() && packet->size() != rest.size())) {
    malformed_ = true;
    return std::nullopt;
  }
  offset_ += packet->size();
  return packet;
}

bool RtcpCompound::validate(std::span<const uint8_t> datagram) {
  RtcpCompound compound(datagram);
  size_t count = 0;
  while (compound.next()) ++count;
  return count > 0 && !compound.malformed();
}

}  // namespace ct::rtp
