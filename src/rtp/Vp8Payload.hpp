#pragma once
// The VP8 RTP payload (RFC 7741): the payload descriptor in front of every
// packet (§4.2) and, in the first packet of a frame, the P bit of the VP8
// payload header (§4.3) that says whether the frame is a keyframe.
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |X|R|N|S|R| PID |   required
//       +-+-+-+-+-+-+-+-+
//  X:   |I|L|T|K| RSV   |   if X
//  I:   |M| PictureID   |   if I (M=1: a second byte, 15 bits in all)
//  L:   |   TL0PICIDX   |   if L
//  T/K: |TID|Y| KEYIDX  |   if T or K
//
// Parsing reads a span and never throws: a descriptor that does not fit, or
// one that leaves no VP8 data behind it, is nullopt. A forwarder that
// splices streams (simulcast layer switches, dropped temporal layers)
// rewrites PictureID and TL0PICIDX in place, in the widths the sender chose.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::rtp {

struct Vp8Payload {
  size_t descriptor_size = 0;       // bytes before the VP8 data
  bool non_reference = false;       // N: no other frame depends on this one
  bool start_of_partition = false;  // S
  uint8_t partition_id = 0;         // PID, 0..7
  std::optional<uint16_t> picture_id;
  uint8_t picture_id_bits = 0;  // 7 or 15 when picture_id is present
  std::optional<uint8_t> tl0_pic_idx;
  std::optional<uint8_t> temporal_id;  // TID, 0..3, present with T
  bool layer_sync = false;             // Y, meaningful with T
  std::optional<uint8_t> key_index;    // KEYIDX, 0..31, present with K
  bool keyframe = false;               // starts a frame and the P bit is 0 (§4.3)
  // A keyframe's size from its frame header (RFC 6386 §9.1), 0 when not a
  // keyframe or the header is cut short or lacks the start code.
  uint16_t width = 0, height = 0;
  size_t picture_id_offset = 0;   // where PictureID starts, when present
  size_t tl0_pic_idx_offset = 0;  // where TL0PICIDX is, when present
  std::span<const uint8_t> data;  // the VP8 bitstream bytes after the descriptor

  // The packet carries the first bytes of a frame: S=1 and PID=0 (§4.3).
  bool starts_frame() const { return start_of_partition && partition_id == 0; }

  // RFC 7741 §4.2. nullopt when the descriptor is truncated or no VP8 data
  // follows it.
  static std::optional<Vp8Payload> parse(std::span<const uint8_t> payload);

  // Writes `id` over the PictureID of `payload`, which `parsed` describes: the
  // low 7 or 15 bits, in the field's own width (M bit kept). False when the
  // descriptor has no PictureID or `payload` is shorter than it.
  static bool write_picture_id(std::span<uint8_t> payload, const Vp8Payload& parsed, uint16_t id);
  // Writes TL0PICIDX; false when the descriptor has none.
  static bool write_tl0_pic_idx(std::span<uint8_t> payload, const Vp8Payload& parsed, uint8_t index);
};

}  // namespace ct::rtp
