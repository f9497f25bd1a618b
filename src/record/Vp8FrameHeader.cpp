#include "record/Vp8FrameHeader.hpp"

#include "record/LittleEndian.hpp"

namespace ct::record {

std::optional<Vp8FrameHeader> Vp8FrameHeader::parse(std::span<const uint8_t> frame) {
  if (frame.size() < kTagSize) return std::nullopt;
  // §9.1: the tag is a little-endian 24-bit field; bit 0 is 0 for a keyframe.
  const uint32_t tag = load_le24(frame.data());
  Vp8FrameHeader header;
  header.keyframe = (tag & 0x01) == 0;
  header.version = uint8_t((tag >> 1) & 0x07);
  header.show_frame = (tag >> 4) & 0x01;
  header.first_partition_size = tag >> 5;
  if (!header.keyframe) return header;
  if (frame.size() < kKeyframeHeaderSize) return std::nullopt;
  if (frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a) return std::nullopt;
  const uint16_t width = load_le16(&frame[6]);
  const uint16_t height = load_le16(&frame[8]);
  header.width = width & 0x3FFF;
  header.horizontal_scale = uint8_t(width >> 14);
  header.height = height & 0x3FFF;
  header.vertical_scale = uint8_t(height >> 14);
  return header;
}

}  // namespace ct::record
