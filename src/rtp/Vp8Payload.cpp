#include "rtp/Vp8Payload.hpp"

namespace ct::rtp {

namespace {
constexpr uint8_t kExtended = 0x80;         // X
constexpr uint8_t kNonReference = 0x20;     // N
constexpr uint8_t kStart = 0x10;            // S
constexpr uint8_t kPartitionId = 0x07;      // PID
constexpr uint8_t kPictureId = 0x80;        // I
constexpr uint8_t kTl0PicIdx = 0x40;        // L
constexpr uint8_t kTemporalId = 0x20;       // T
constexpr uint8_t kKeyIndex = 0x10;         // K
constexpr uint8_t kLongPictureId = 0x80;    // M
constexpr uint8_t kInverseKeyFrame = 0x01;  // P, first bit of the VP8 payload header (§4.3)
}  // namespace

std::optional<Vp8Payload> Vp8Payload::parse(std::span<const uint8_t> payload) {
  Vp8Payload vp8;
  size_t at = 0;
  if (payload.empty()) return std::nullopt;
  const uint8_t first = payload[at++];
  vp8.non_reference = (first & kNonReference) != 0;
  vp8.start_of_partition = (first & kStart) != 0;
  vp8.partition_id = first & kPartitionId;

  if (first & kExtended) {
    if (at >= payload.size()) return std::nullopt;
    const uint8_t extension = payload[at++];
    if (extension & kPictureId) {
      if (at >= payload.size()) return std::nullopt;
      if (payload[at] & kLongPictureId) {
        if (at + 2 > payload.size()) return std::nullopt;
        vp8.picture_id = uint16_t((payload[at] & 0x7F) << 8 | payload[at + 1]);
        vp8.picture_id_bits = 15;
        at += 2;
      } else {
        vp8.picture_id = payload[at] & 0x7F;
        vp8.picture_id_bits = 7;
        at += 1;
      }
    }
    if (extension & kTl0PicIdx) {
      if (at >= payload.size()) return std::nullopt;
      vp8.tl0_pic_idx = payload[at++];
    }
    // One byte carries TID/Y and KEYIDX; it is there when either T or K is set,
    // and each half is meaningful only with its own bit (§4.2).
    if (extension & (kTemporalId | kKeyIndex)) {
      if (at >= payload.size()) return std::nullopt;
      const uint8_t byte = payload[at++];
      if (extension & kTemporalId) {
        vp8.temporal_id = uint8_t(byte >> 6);
        vp8.layer_sync = (byte & 0x20) != 0;
      }
      if (extension & kKeyIndex) vp8.key_index = uint8_t(byte & 0x1F);
    }
  }

  if (at >= payload.size()) return std::nullopt;  // a descriptor with no VP8 data
  vp8.descriptor_size = at;
  vp8.data = payload.subspan(at);
  vp8.keyframe = vp8.starts_frame() && (vp8.data[0] & kInverseKeyFrame) == 0;
  return vp8;
}

}  // namespace ct::rtp
