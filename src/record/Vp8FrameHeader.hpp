#pragma once
// The first bytes of a VP8 frame (RFC 6386 §9.1): the 3-byte frame tag and,
// in a keyframe, the start code 9d 01 2a and the 14-bit width and height
// with their 2-bit scales. These stay readable in an end-to-end-encrypted
// frame, whose encryption leaves the codec's first bytes in clear.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::record {

struct Vp8FrameHeader {
  static constexpr size_t kTagSize = 3;
  static constexpr size_t kKeyframeHeaderSize = 10;  // tag, start code, width, height

  bool keyframe = false;
  uint8_t version = 0;  // 0..3 are defined (§9.1)
  bool show_frame = false;
  uint32_t first_partition_size = 0;  // 19 bits
  uint16_t width = 0;                 // keyframes only
  uint16_t height = 0;
  uint8_t horizontal_scale = 0;
  uint8_t vertical_scale = 0;

  // nullopt when the tag does not fit, or a keyframe's start code or size
  // does not.
  static std::optional<Vp8FrameHeader> parse(std::span<const uint8_t> frame);
};

}  // namespace ct::record
