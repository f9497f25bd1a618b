#pragma once
// RTP retransmission payload format (RFC 4588 §4): an RTX packet carries the
// original packet's payload behind a 2-byte original sequence number (OSN),
// on its own SSRC, payload type and sequence space.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/RtpPacket.hpp"

namespace ct::rtp {

// The OSN of an RTX packet; nullopt if its payload is shorter than 2 bytes
// (a padding-only probe carries no OSN).
std::optional<uint16_t> rtx_original_sequence_number(const RtpPacket& rtx);

// Writes the original packet into `out`: the RTX header (CSRCs and
// extensions kept) with the media SSRC, payload type and OSN, then the
// payload after the OSN. RTX padding is dropped. Returns the length, or 0 if
// there is no OSN or `out` is too small.
size_t unwrap_rtx(const RtpPacket& rtx, uint32_t media_ssrc, uint8_t media_payload_type,
                  std::span<uint8_t> out);

// The same in place: moves the header 2 bytes forward over the OSN and
// returns the original packet as a view of the tail of rtx's buffer.
std::optional<RtpPacket> unwrap_rtx_in_place(const RtpPacket& rtx, uint32_t media_ssrc,
                                             uint8_t media_payload_type);

// Writes `media` as an RTX packet into `out`: its header (CSRCs and
// extensions kept) with the RTX SSRC, payload type and sequence number, the
// OSN, then the payload. Media padding is dropped. Returns the length, or 0
// if `out` is too small.
size_t wrap_rtx(const RtpPacket& media, uint32_t rtx_ssrc, uint8_t rtx_payload_type,
                uint16_t rtx_sequence_number, std::span<uint8_t> out);

}  // namespace ct::rtp
