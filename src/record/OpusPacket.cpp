#include "record/OpusPacket.hpp"

namespace ct::record {

std::optional<uint32_t> OpusPacket::samples(std::span<const uint8_t> packet) {
  if (packet.empty()) return std::nullopt;
  const uint8_t config = packet[0] >> 3;
  // §3.1 Table 2: SILK-only 0..11 (10, 20, 40, 60 ms), Hybrid 12..15 (10,
  // 20 ms), CELT-only 16..31 (2.5, 5, 10, 20 ms); in 48 kHz samples.
  uint32_t frame_samples;
  if (config < 12) {
    static constexpr uint32_t kSilk[] = {480, 960, 1920, 2880};
    frame_samples = kSilk[config % 4];
  } else if (config < 16) {
    frame_samples = config % 2 == 0 ? 480 : 960;
  } else {
    static constexpr uint32_t kCelt[] = {120, 240, 480, 960};
    frame_samples = kCelt[config % 4];
  }
  uint32_t frames;
  switch (packet[0] & 0x3) {
    case 0:
      frames = 1;
      break;  // §3.2.2
    case 1:   // §3.2.3
    case 2:
      frames = 2;
      break;  // §3.2.4
    default:  // §3.2.5: M in the low 6 bits of the second byte
      if (packet.size() < 2) return std::nullopt;
      frames = packet[1] & 0x3F;
      if (frames == 0) return std::nullopt;
  }
  const uint32_t total = frames * frame_samples;
  if (total > kMaxSamples) return std::nullopt;
  return total;
}

}  // namespace ct::record
