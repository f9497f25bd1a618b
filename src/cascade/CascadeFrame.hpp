#pragma once
// One datagram on a node-to-node cascade link (docs/operations.md, "Cascade"):
//
//   byte 0   0xC1: a cascade frame, version 1. RFC 7983 (and RFC 9443) leave
//            first bytes 192..255 unassigned, so a frame never looks like
//            STUN, DTLS, TURN ChannelData or RTP/RTCP.
//   byte 1   what follows: 1 = an SRTP packet, 2 = an SRTCP packet
//   2..5     the link id (big endian) the receiving node gave the link
//   6..      the packet, protected with the link's own keys (RFC 3711 / RFC 7714)
//
// The link id travels in the clear and only picks the keys: a frame sent
// under another link's id fails authentication there.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::cascade {

enum class CascadeKind : uint8_t { rtp = 1, rtcp = 2 };

struct CascadeFrame {
  static constexpr uint8_t kMarker = 0xC1;
  static constexpr size_t kHeaderSize = 6;
  // The smallest protected packets: a 12-byte RTP header (RFC 3550 §5.1), an
  // 8-byte RTCP header with sender SSRC (RFC 3550 §6.4).
  static constexpr size_t kMinRtp = 12, kMinRtcp = 8;

  CascadeKind kind = CascadeKind::rtp;
  uint32_t link_id = 0;
  std::span<uint8_t> packet;  // a view into the datagram, still protected
};

// The frame in `datagram`, or nothing for anything else: too short, another
// marker, an unknown kind, or a packet shorter than its kind's header.
std::optional<CascadeFrame> parse_cascade_frame(std::span<uint8_t> datagram);
// Writes the header into the first kHeaderSize bytes of `out` (which must hold them).
void write_cascade_header(std::span<uint8_t> out, CascadeKind kind, uint32_t link_id);

}  // namespace ct::cascade
