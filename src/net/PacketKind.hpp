#pragma once
// RFC 7983 §7: one UDP port carries STUN, DTLS, TURN ChannelData and SRTP/SRTCP;
// the first byte tells them apart.
#include <cstdint>
#include <span>

namespace ct::net {

enum class PacketKind : uint8_t { Stun, Dtls, TurnChannel, Rtp, Unknown };

constexpr PacketKind classify_packet(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return PacketKind::Unknown;
  uint8_t b = datagram[0];
  if (b <= 3) return PacketKind::Stun;
  if (b >= 20 && b <= 63) return PacketKind::Dtls;
  if (b >= 64 && b <= 79) return PacketKind::TurnChannel;
  if (b >= 128 && b <= 191) return PacketKind::Rtp;  // RTP or RTCP; rtp::is_rtcp() splits them
  return PacketKind::Unknown;
}

}  // namespace ct::net
