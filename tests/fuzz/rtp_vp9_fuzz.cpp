// libFuzzer target: the VP9 payload descriptor (RFC 9628 §4.2). A parse
// never claims more header than the input holds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtp/Vp9Payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto vp9 = ct::rtp::Vp9Payload::parse(std::span<const uint8_t>(data, size));
  if (!vp9) return 0;
  if (vp9->header_size < 1 || vp9->header_size > size) std::abort();
  if (vp9->picture_id && vp9->picture_id_bits != 7 && vp9->picture_id_bits != 15) std::abort();
  if (vp9->spatial_id && *vp9->spatial_id > 7) std::abort();
  return 0;
}
