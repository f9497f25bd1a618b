#pragma once
// What an SFU needs to know of an H.264 RTP payload (RFC 6184 §5.2): the NAL
// unit types it carries and whether it starts a keyframe. A single NAL unit
// packet (types 1-23), an aggregation packet STAP-A (24, §5.7.1) or a
// fragment FU-A (28, §5.8) are read; the rest (STAP-B, MTAP, FU-B) are
// parsed as carrying nothing of interest. Never throws: a payload too short
// for its own structure is nullopt.
#include <cstdint>
#include <optional>
#include <span>

namespace ct::rtp {

struct H264Payload {
  uint8_t packet_type = 0;  // the first NAL header's type: 1-23, 24 (STAP-A), 28 (FU-A), ...
  bool has_idr = false;     // an IDR slice (type 5) starts in this packet
  bool has_sps = false;     // a sequence parameter set (type 7) is in this packet
  // The packet begins a keyframe: a decoder can start here. Chromium sends
  // SPS and PPS in a STAP-A in front of each IDR, so either starts one.
  bool starts_keyframe() const { return has_idr || has_sps; }

  static std::optional<H264Payload> parse(std::span<const uint8_t> payload);
};

}  // namespace ct::rtp
