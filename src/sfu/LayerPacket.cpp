#include "sfu/LayerPacket.hpp"

#include "rtp/H264Payload.hpp"
#include "rtp/Vp9Payload.hpp"
#include "sdp/Types.hpp"

namespace ct::sfu {

LayerPacket LayerPacket::describe(std::string_view codec, int layer, uint16_t sequence_number,
                                  uint32_t timestamp, std::span<const uint8_t> payload) {
  LayerPacket p;
  p.layer = layer;
  p.sequence_number = sequence_number;
  p.timestamp = timestamp;
  if (sdp::iequals(codec, "VP8")) {
    p.vp8 = rtp::Vp8Payload::parse(payload);
    p.keyframe_start = p.vp8 && p.vp8->keyframe;
  } else if (sdp::iequals(codec, "H264")) {
    auto h264 = rtp::H264Payload::parse(payload);
    p.keyframe_start = h264 && h264->starts_keyframe();
  } else if (sdp::iequals(codec, "VP9")) {
    auto vp9 = rtp::Vp9Payload::parse(payload);
    p.keyframe_start = vp9 && vp9->starts_keyframe();
  }
  return p;
}

}  // namespace ct::sfu
