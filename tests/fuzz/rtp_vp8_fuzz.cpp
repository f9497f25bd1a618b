// libFuzzer target: the VP8 payload descriptor (RFC 7741 §4.2). A parse
// either fails or accounts for every byte: descriptor + data = input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtp/Vp8Payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const auto vp8 = ct::rtp::Vp8Payload::parse(input);
  if (!vp8) return 0;
  if (vp8->descriptor_size < 1 || vp8->descriptor_size > 6) std::abort();
  if (vp8->data.empty() || vp8->data.data() != data + vp8->descriptor_size) std::abort();
  if (vp8->descriptor_size + vp8->data.size() != size) std::abort();
  if (vp8->partition_id > 7) std::abort();
  if (vp8->picture_id && vp8->picture_id_bits != 7 && vp8->picture_id_bits != 15) std::abort();
  if (vp8->keyframe && !vp8->starts_frame()) std::abort();
  if ((vp8->width != 0) && !vp8->keyframe) std::abort();
  // Rewriting writes only inside the descriptor and parses back the same.
  uint8_t copy[64];
  if (vp8->descriptor_size <= sizeof copy && vp8->picture_id) {
    std::span<uint8_t> out(copy, vp8->descriptor_size);
    for (size_t i = 0; i < out.size(); ++i) out[i] = data[i];
    if (!ct::rtp::Vp8Payload::write_picture_id(out, *vp8, 0x1234)) std::abort();
    if (vp8->tl0_pic_idx && !ct::rtp::Vp8Payload::write_tl0_pic_idx(out, *vp8, 0x56)) std::abort();
  }
  return 0;
}
