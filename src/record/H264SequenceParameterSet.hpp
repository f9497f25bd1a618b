#pragma once
// The picture size from an H.264 sequence parameter set (ITU-T H.264
// §7.3.2.1.1), for the container's width and height: the fields up to
// frame_cropping are read (scaling lists and picture order count fields
// only skipped), the VUI is not. Emulation prevention bytes (§7.4.1: 0x03
// after two zero bytes) are removed as the bits are read.
//
// Parsing reads a span and never throws: a NAL unit that is not an SPS, is
// cut short, or holds values outside the ranges §7.4.2.1.1 allows is nullopt.
#include <cstdint>
#include <optional>
#include <span>

namespace ct::record {

struct H264SequenceParameterSet {
  uint8_t profile_idc = 0;
  uint8_t level_idc = 0;
  uint32_t chroma_format_idc = 1;  // 4:2:0 unless the profile says otherwise
  uint32_t width = 0;              // in luma samples, after cropping
  uint32_t height = 0;

  // `nal_unit`: the whole NAL unit, its one-byte header (type 7) first.
  static std::optional<H264SequenceParameterSet> parse(std::span<const uint8_t> nal_unit);
};

}  // namespace ct::record
