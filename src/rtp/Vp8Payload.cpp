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
      vp8.picture_id_offset = at;
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
      vp8.tl0_pic_idx_offset = at;
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
  // RFC 6386 §9.1: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit
  // width and height, little-endian, each under a 2-bit scale.
  const auto& d = vp8.data;
  if (vp8.keyframe && d.size() >= 10 && d[3] == 0x9d && d[4] == 0x01 && d[5] == 0x2a) {
    vp8.width = uint16_t((d[6] | d[7] << 8) & 0x3FFF);
    vp8.height = uint16_t((d[8] | d[9] << 8) & 0x3FFF);
  }
  return vp8;
}

bool Vp8Payload::write_picture_id(std::span<uint8_t> payload, const Vp8Payload& parsed, uint16_t id) {
  if (!parsed.picture_id || parsed.picture_id_offset == 0) return false;
  const size_t at = parsed.picture_id_offset;
  if (parsed.picture_id_bits == 15) {
    if (at + 2 > payload.size()) return false;
    payload[at] = uint8_t(kLongPictureId | ((id >> 8) & 0x7F));
    payload[at + 1] = uint8_t(id);
    return true;
  }
  if (at >= payload.size()) return false;
  payload[at] = uint8_t(id & 0x7F);
  return true;
}

bool Vp8Payload::write_tl0_pic_idx(std::span<uint8_t> payload, const Vp8Payload& parsed, uint8_t index) {
  if (!parsed.tl0_pic_idx || parsed.tl0_pic_idx_offset == 0) return false;
  if (parsed.tl0_pic_idx_offset >= payload.size()) return false;
  payload[parsed.tl0_pic_idx_offset] = index;
  return true;
}

}  // namespace ct::rtp
