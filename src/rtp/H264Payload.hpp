#pragma once
// The H.264 RTP payload (RFC 6184), packetization mode 1 (non-interleaved,
// §6.3) as WebRTC sends it: every payload starts with a one-byte NAL unit
// header (§5.3)
//
//   +---------------+
//   |0|1|2|3|4|5|6|7|
//   +-+-+-+-+-+-+-+-+
//   |F|NRI|  Type   |
//   +---------------+
//
// and is one of
//   - a single NAL unit packet, types 1-23 (§5.6): the payload is the NAL unit;
//   - an STAP-A, type 24 (§5.7.1): NAL units, each behind a 16-bit size;
//   - an FU-A, type 28 (§5.8): a fragment of one NAL unit, behind the FU
//     indicator and an FU header |S|E|R|Type| (S: first fragment, E: last).
// Other types (STAP-B, MTAPs, FU-B: interleaved mode only) and a set F bit
// (§5.3: a syntax violation) are refused.
//
// Parsing reads a span and never throws or copies: the views point into
// the payload. An STAP-A whose sizes do not add up, an empty aggregated NAL
// unit, or an FU-A without data or with both S and E set (§5.8) is nullopt.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::rtp {

// NAL unit types (ITU-T H.264 Table 7-1) and the payload structures of RFC 6184 §5.2.
namespace h264_nal {
inline constexpr uint8_t kSlice = 1;  // a non-IDR slice
inline constexpr uint8_t kIdrSlice = 5;
inline constexpr uint8_t kSei = 6;
inline constexpr uint8_t kSps = 7;
inline constexpr uint8_t kPps = 8;
inline constexpr uint8_t kAccessUnitDelimiter = 9;
inline constexpr uint8_t kStapA = 24;
inline constexpr uint8_t kFuA = 28;
}  // namespace h264_nal

struct H264Payload {
  enum class Kind : uint8_t { SingleNal, StapA, FuA };

  Kind kind = Kind::SingleNal;
  std::span<const uint8_t> payload;  // the whole RTP payload
  // FU-A only.
  bool fragment_start = false;        // S
  bool fragment_end = false;          // E
  uint8_t fragmented_nal_header = 0;  // F and NRI of the indicator, the type of the FU header (§5.8)
  std::span<const uint8_t> fragment;  // the fragment's bytes after the FU header

  // RFC 6184 §5.6-§5.8 for packetization mode 1; nullopt when the payload
  // is empty, truncated, of another mode, or has F set.
  static std::optional<H264Payload> parse(std::span<const uint8_t> payload);

  // Calls `visit(nal_unit)` for each whole NAL unit the packet carries (one
  // for a single NAL unit packet, each for an STAP-A, none for an FU-A).
  template <typename Visit>
  void for_each_nal(Visit&& visit) const {
    if (kind == Kind::SingleNal) {
      visit(payload);
    } else if (kind == Kind::StapA) {
      for (size_t at = 1; at + 2 <= payload.size();) {
        const size_t size = size_t(payload[at]) << 8 | payload[at + 1];
        visit(payload.subspan(at + 2, size));
        at += 2 + size;
      }
    }
  }

  // True if a NAL unit of `type` starts in this packet (for an FU-A: it is
  // the first fragment of one).
  bool starts_nal_of_type(uint8_t type) const;

  // A decoder can start here: an SPS (Chromium sends SPS and PPS in an
  // STAP-A in front of each IDR) or the start of an IDR slice.
  bool starts_keyframe() const {
    return starts_nal_of_type(h264_nal::kSps) || starts_nal_of_type(h264_nal::kIdrSlice);
  }

  static uint8_t nal_type(uint8_t nal_header) { return nal_header & 0x1F; }
};

}  // namespace ct::rtp
