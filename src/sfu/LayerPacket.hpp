#pragma once
// What forwarding needs to know of one inbound video packet of a layer,
// read once per packet by the Publication and shared by every subscription:
// which layer it belongs to, whether a decoder can start at it, and for VP8
// the descriptor fields a forwarder rewrites or drops by.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/Vp8Payload.hpp"

namespace ct::sfu {

struct LayerPacket {
  int layer = 0;  // index in the publication's layers, lowest first
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  bool keyframe_start = false;         // a decoder can start here (VP8/VP9 keyframe, H.264 SPS or IDR)
  std::optional<rtp::Vp8Payload> vp8;  // parsed descriptor when the codec is VP8

  // Reads `payload` for `codec` ("VP8", "VP9", "H264"; others never start a
  // keyframe). Audio is not described here.
  static LayerPacket describe(std::string_view codec, int layer, uint16_t sequence_number, uint32_t timestamp,
                              std::span<const uint8_t> payload);
};

}  // namespace ct::sfu
