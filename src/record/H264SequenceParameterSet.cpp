#include "record/H264SequenceParameterSet.hpp"

namespace ct::record {

namespace {

// Reads the RBSP bits of a NAL unit (after its header), skipping emulation
// prevention bytes. Any read past the end sets `failed`.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  bool failed() const { return failed_; }

  uint32_t bit() {
    if (bit_ == 0 && !next_byte()) return 0;
    --bit_;
    return (current_ >> bit_) & 1;
  }
  uint32_t bits(int count) {
    uint32_t value = 0;
    for (int i = 0; i < count; ++i) value = value << 1 | bit();
    return value;
  }
  // ue(v), §9.1: at most 31 leading zero bits for a 32-bit value.
  uint32_t ue() {
    int zeros = 0;
    while (!failed_ && bit() == 0) {
      if (++zeros > 31) {
        failed_ = true;
        return 0;
      }
    }
    if (failed_) return 0;
    return uint32_t((uint64_t(1) << zeros) - 1 + bits(zeros));
  }
  // se(v), §9.1.1.
  int64_t se() {
    const uint32_t k = ue();
    return (k & 1) ? int64_t(k / 2) + 1 : -int64_t(k / 2);
  }

 private:
  bool next_byte() {
    if (at_ >= bytes_.size()) {
      failed_ = true;
      return false;
    }
    // §7.4.1: 0x000003 carries 0x0000; the 0x03 is not part of the RBSP.
    if (zeros_ >= 2 && bytes_[at_] == 0x03) {
      zeros_ = 0;
      if (++at_ >= bytes_.size()) {
        failed_ = true;
        return false;
      }
    }
    current_ = bytes_[at_++];
    zeros_ = current_ == 0 ? zeros_ + 1 : 0;
    bit_ = 8;
    return true;
  }

  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
  int zeros_ = 0;
  uint8_t current_ = 0;
  int bit_ = 0;
  bool failed_ = false;
};

bool has_chroma_format_fields(uint8_t profile_idc) {
  switch (profile_idc) {  // §7.3.2.1.1: the High profiles and their relatives
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      return true;
    default:
      return false;
  }
}

// scaling_list() (§7.3.2.1.1.1): only skipped.
void skip_scaling_list(BitReader& reader, int size) {
  int64_t last = 8, next = 8;
  for (int j = 0; j < size && !reader.failed(); ++j) {
    if (next != 0) next = (last + reader.se() + 256) % 256;
    last = next == 0 ? last : next;
  }
}

}  // namespace

std::optional<H264SequenceParameterSet> H264SequenceParameterSet::parse(std::span<const uint8_t> nal_unit) {
  if (nal_unit.size() < 4 || (nal_unit[0] & 0x1F) != 7) return std::nullopt;
  BitReader reader(nal_unit.subspan(1));
  H264SequenceParameterSet sps;
  sps.profile_idc = uint8_t(reader.bits(8));
  reader.bits(8);  // constraint flags and reserved bits
  sps.level_idc = uint8_t(reader.bits(8));
  if (reader.ue() > 31) return std::nullopt;  // seq_parameter_set_id
  bool separate_colour_planes = false;
  if (has_chroma_format_fields(sps.profile_idc)) {
    sps.chroma_format_idc = reader.ue();
    if (sps.chroma_format_idc > 3) return std::nullopt;
    if (sps.chroma_format_idc == 3) separate_colour_planes = reader.bit() != 0;
    if (reader.ue() > 6 || reader.ue() > 6) return std::nullopt;  // bit depths - 8
    reader.bit();                                                 // qpprime_y_zero_transform_bypass_flag
    if (reader.bit()) {                                           // seq_scaling_matrix_present_flag
      const int lists = sps.chroma_format_idc != 3 ? 8 : 12;
      for (int i = 0; i < lists && !reader.failed(); ++i)
        if (reader.bit()) skip_scaling_list(reader, i < 6 ? 16 : 64);
    }
  }
  if (reader.ue() > 12) return std::nullopt;  // log2_max_frame_num_minus4
  const uint32_t poc_type = reader.ue();
  if (poc_type == 0) {
    if (reader.ue() > 12) return std::nullopt;  // log2_max_pic_order_cnt_lsb_minus4
  } else if (poc_type == 1) {
    reader.bit();  // delta_pic_order_always_zero_flag
    reader.se();   // offset_for_non_ref_pic
    reader.se();   // offset_for_top_to_bottom_field
    const uint32_t cycle = reader.ue();
    if (cycle > 255) return std::nullopt;
    for (uint32_t i = 0; i < cycle && !reader.failed(); ++i) reader.se();
  } else if (poc_type != 2) {
    return std::nullopt;
  }
  reader.ue();   // max_num_ref_frames
  reader.bit();  // gaps_in_frame_num_value_allowed_flag
  const uint32_t width_in_mbs = reader.ue() + 1;
  const uint32_t height_in_map_units = reader.ue() + 1;
  const uint32_t frame_mbs_only = reader.bit();
  if (!frame_mbs_only) reader.bit();  // mb_adaptive_frame_field_flag
  reader.bit();                       // direct_8x8_inference_flag
  uint32_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  if (reader.bit()) {  // frame_cropping_flag
    crop_left = reader.ue();
    crop_right = reader.ue();
    crop_top = reader.ue();
    crop_bottom = reader.ue();
  }
  if (reader.failed() || width_in_mbs > 1024 || height_in_map_units > 1024) return std::nullopt;
  // §7.4.2.1.1, (7-19) to (7-22): cropping counts chroma samples.
  const uint32_t chroma_array_type = separate_colour_planes ? 0 : sps.chroma_format_idc;
  const uint32_t crop_unit_x = chroma_array_type == 1 || chroma_array_type == 2 ? 2 : 1;
  const uint32_t crop_unit_y = (chroma_array_type == 1 ? 2 : 1) * (2 - frame_mbs_only);
  const uint32_t full_width = width_in_mbs * 16;
  const uint32_t full_height = (2 - frame_mbs_only) * height_in_map_units * 16;
  const uint64_t crop_x = uint64_t(crop_unit_x) * (uint64_t(crop_left) + crop_right);
  const uint64_t crop_y = uint64_t(crop_unit_y) * (uint64_t(crop_top) + crop_bottom);
  if (crop_x >= full_width || crop_y >= full_height) return std::nullopt;
  sps.width = full_width - uint32_t(crop_x);
  sps.height = full_height - uint32_t(crop_y);
  return sps;
}

}  // namespace ct::record
