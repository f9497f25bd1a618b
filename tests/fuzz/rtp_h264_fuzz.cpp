// libFuzzer target: the H.264 RTP payload (RFC 6184 §5). A parse never reads
// past the input, and a keyframe start names an IDR or SPS unit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtp/H264Payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto h264 = ct::rtp::H264Payload::parse(std::span<const uint8_t>(data, size));
  if (!h264) return 0;
  if (h264->packet_type == 0 || h264->packet_type > 31) std::abort();
  if (h264->starts_keyframe() != (h264->has_idr || h264->has_sps)) std::abort();
  return 0;
}
