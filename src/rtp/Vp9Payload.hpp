#pragma once
// The VP9 RTP payload descriptor (RFC 9628 §4.2), as far as forwarding needs
// it: picture ID, layer indices, frame boundaries and whether the packet
// starts a keyframe. Chromium's VP9 profile 0 without SVC sends the
// non-flexible mode with one spatial layer.
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |I|P|L|F|B|E|V|Z|   required
//  I:   |M| PICTURE ID  |   (M=1: a second byte, 15 bits in all)
//  L:   | TID |U| SID |D|   then, when F=0, TL0PICIDX
//  F,P: | P_DIFF      |N|   up to 3 times
//  V:   scalability structure (not read)
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::rtp {

struct Vp9Payload {
  bool inter_picture = false;  // P: the frame refers to earlier frames
  bool flexible = false;       // F
  bool begins_frame = false;   // B
  bool ends_frame = false;     // E
  std::optional<uint16_t> picture_id;
  uint8_t picture_id_bits = 0;  // 7 or 15 with a picture ID
  std::optional<uint8_t> temporal_id;
  std::optional<uint8_t> spatial_id;
  std::optional<uint8_t> tl0_pic_idx;
  size_t header_size = 0;  // bytes up to the scalability structure or the data

  // §4.3: a frame with no inter-picture reference, at its first packet, in
  // the base spatial layer: a decoder can start here.
  bool starts_keyframe() const { return begins_frame && !inter_picture && spatial_id.value_or(0) == 0; }

  // nullopt when a present field does not fit.
  static std::optional<Vp9Payload> parse(std::span<const uint8_t> payload);
};

}  // namespace ct::rtp
