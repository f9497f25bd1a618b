#include "rtp/Vp9Payload.hpp"

namespace ct::rtp {
namespace {
constexpr uint8_t kPictureId = 0x80, kInterPicture = 0x40, kLayers = 0x20, kFlexible = 0x10;
constexpr uint8_t kBegin = 0x08, kEnd = 0x04;
constexpr uint8_t kLongPictureId = 0x80, kMoreDiffs = 0x01;
constexpr int kMaxReferences = 3;  // §4.2: up to 3 P_DIFF fields
}  // namespace

std::optional<Vp9Payload> Vp9Payload::parse(std::span<const uint8_t> payload) {
  if (payload.empty()) return std::nullopt;
  Vp9Payload vp9;
  const uint8_t first = payload[0];
  size_t at = 1;
  vp9.inter_picture = first & kInterPicture;
  vp9.flexible = first & kFlexible;
  vp9.begins_frame = first & kBegin;
  vp9.ends_frame = first & kEnd;
  if (first & kPictureId) {
    if (at >= payload.size()) return std::nullopt;
    if (payload[at] & kLongPictureId) {
      if (at + 2 > payload.size()) return std::nullopt;
      vp9.picture_id = uint16_t((payload[at] & 0x7F) << 8 | payload[at + 1]);
      vp9.picture_id_bits = 15;
      at += 2;
    } else {
      vp9.picture_id = payload[at++] & 0x7F;
      vp9.picture_id_bits = 7;
    }
  }
  if (first & kLayers) {
    if (at >= payload.size()) return std::nullopt;
    vp9.temporal_id = uint8_t(payload[at] >> 5);
    vp9.spatial_id = uint8_t((payload[at] >> 1) & 0x07);
    ++at;
    if (!vp9.flexible) {
      if (at >= payload.size()) return std::nullopt;
      vp9.tl0_pic_idx = payload[at++];
    }
  }
  if (vp9.flexible && vp9.inter_picture) {
    for (int i = 0;; ++i) {
      if (i == kMaxReferences || at >= payload.size()) return std::nullopt;
      if (!(payload[at++] & kMoreDiffs)) break;
    }
  }
  vp9.header_size = at;
  return vp9;
}

}  // namespace ct::rtp
