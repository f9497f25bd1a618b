#include "rtp/RtcpPacket.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

std::optional<RtcpPacket> RtcpPacket::parse(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) return std::nullopt;
  if ((bytes[0] >> 6) != 2) return std::nullopt;  // RFC 3550 §6.4.1: version 2
  // The length field counts 32-bit words minus one, header included.
  const size_t size = (size_t(load_u16(&bytes[2])) + 1) * 4;
  if (size > bytes.size()) return std::nullopt;
  const std::span<const uint8_t> packet = bytes.first(size);
  size_t padding = 0;
  if (packet[0] & 0x20) {
    // RFC 3550 §6.4.1: the last octet counts the padding, itself included.
    padding = packet.back();
    if (padding == 0 || padding > size - kHeaderSize) return std::nullopt;
  }
  return RtcpPacket(packet, padding);
}

void write_rtcp_header(uint8_t* out, uint8_t count, uint8_t type, size_t packet_size) {
  out[0] = uint8_t(0x80 | (count & 0x1F));
  out[1] = type;
  store_u16(out + 2, uint16_t(packet_size / 4 - 1));
}

void write_rtcp_feedback_header(uint8_t* out, uint8_t fmt, uint8_t type, size_t packet_size,
                                uint32_t sender_ssrc, uint32_t media_ssrc) {
  write_rtcp_header(out, fmt, type, packet_size);
  store_u32(out + 4, sender_ssrc);
  store_u32(out + 8, media_ssrc);
}

}  // namespace ct::rtp
