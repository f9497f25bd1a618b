#pragma once
// The IVF container's file header and frame header, the format libvpx and
// FFmpeg read and write for raw VP8 (no RFC; the layout is libvpx's ivfenc,
// all fields little-endian):
//
//   file header, 32 bytes          frame header, 12 bytes, before each frame
//    0  "DKIF"                      0  frame size in bytes (u32)
//    4  version 0 (u16)             4  timestamp in timebase units (u64)
//    6  header size 32 (u16)
//    8  fourcc, "VP80" (4 bytes)
//   12  width, height (u16 each)
//   16  timebase denominator (u32), e.g. 90000
//   20  timebase numerator (u32), e.g. 1
//   24  frame count (u32)
//   28  unused (u32)
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::record {

struct IvfFileHeader {
  static constexpr size_t kSize = 32;
  static constexpr size_t kFrameHeaderSize = 12;
  static constexpr size_t kSizeOffset = 12;  // width, then height
  static constexpr size_t kFrameCountOffset = 24;
  static constexpr std::array<uint8_t, 4> kVp8Fourcc = {'V', 'P', '8', '0'};

  uint16_t version = 0;
  uint16_t header_size = kSize;
  std::array<uint8_t, 4> fourcc = kVp8Fourcc;
  uint16_t width = 0;
  uint16_t height = 0;
  uint32_t timebase_denominator = 90000;  // the RTP clock of video (RFC 7741 §4.1)
  uint32_t timebase_numerator = 1;
  uint32_t frame_count = 0;

  std::array<uint8_t, kSize> serialize() const;
  // nullopt unless "DKIF" with a header size of at least 32 that fits.
  static std::optional<IvfFileHeader> parse(std::span<const uint8_t> file);
};

}  // namespace ct::record
