// libFuzzer target: the H.264 RTP payload (RFC 6184 §5.6-§5.8, mode 1). A
// parse either fails or yields views inside the input: the NAL units of a
// single NAL unit packet or an STAP-A fill the payload exactly, none empty;
// an FU-A's fragment is the input after its two header bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtp/H264Payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const auto h264 = ct::rtp::H264Payload::parse(input);
  if (!h264) return 0;
  if (h264->payload.data() != data || h264->payload.size() != size) std::abort();
  if (h264->kind == ct::rtp::H264Payload::Kind::FuA) {
    if (size < 3 || h264->fragment.data() != data + 2 || h264->fragment.size() != size - 2) std::abort();
    if (h264->fragment_start && h264->fragment_end) std::abort();
    const uint8_t type = ct::rtp::H264Payload::nal_type(h264->fragmented_nal_header);
    if (type == 0 || type > 23) std::abort();
    return 0;
  }
  size_t covered = h264->kind == ct::rtp::H264Payload::Kind::StapA ? 1 : 0;
  size_t units = 0;
  h264->for_each_nal([&](std::span<const uint8_t> nal) {
    if (nal.empty() || nal.data() < data || nal.data() + nal.size() > data + size) std::abort();
    covered += nal.size() + (h264->kind == ct::rtp::H264Payload::Kind::StapA ? 2 : 0);
    ++units;
  });
  if (units == 0 || covered != size) std::abort();
  (void)h264->starts_nal_of_type(ct::rtp::h264_nal::kSps);
  (void)h264->starts_keyframe();
  return 0;
}
