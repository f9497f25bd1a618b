#include "loadtest/StreamContinuity.hpp"

#include "loadtest/PayloadStamp.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/Vp8Payload.hpp"

namespace ct::loadtest {

void StreamContinuity::on_packet(const rtp::RtpPacket& packet) {
  const auto vp8 = rtp::Vp8Payload::parse(packet.payload());
  const auto stamp = vp8 ? PayloadStamp::read(vp8->data) : std::nullopt;
  if (!stamp || stamp->layer >= kLayers) {
    ++stats_.unstamped;
    return;
  }
  const uint16_t sequence = packet.sequence_number();
  const uint32_t timestamp = packet.timestamp();
  if (started_ && packet.ssrc() == ssrc_) {
    const auto step = uint16_t(sequence - sequence_);
    if (step == 0 || step >= 0x8000) {  // RFC 3550 §A.1: serial number arithmetic
      ++stats_.late;
      return;
    }
    const uint16_t skipped = uint16_t(step - 1);
    const bool switched = stamp->layer != layer_;
    bool broken = false;
    if (switched) {
      ++stats_.layer_switches;
      // A switch splices the new layer in at one of its keyframes, right
      // after the last packet of the old one.
      broken |= !vp8->keyframe || skipped != 0;
    } else {
      stats_.lost += skipped;
    }
    broken |= int32_t(timestamp - timestamp_) < 0;
    if (skipped == 0) {
      // Inside a frame nothing changes; a new frame moves one step on.
      const bool new_frame = vp8->starts_frame();
      broken |= !new_frame && timestamp != timestamp_;
      if (vp8->picture_id && has_picture_id_) {
        const uint16_t mask = vp8->picture_id_bits == 7 ? 0x7F : 0x7FFF;
        broken |= uint16_t((*vp8->picture_id - picture_id_) & mask) != (new_frame ? 1 : 0);
      }
      if (vp8->tl0_pic_idx && has_tl0_) {
        const bool base = new_frame && vp8->temporal_id.value_or(0) == 0;
        broken |= uint8_t(*vp8->tl0_pic_idx - tl0_pic_idx_) != (base ? 1 : 0);
      }
    }
    if (broken) ++stats_.discontinuities;
  } else if (started_) {
    ++stats_.discontinuities;  // the track moved to another SSRC
  }
  started_ = true;
  ssrc_ = packet.ssrc();
  sequence_ = sequence;
  timestamp_ = timestamp;
  layer_ = stamp->layer;
  has_picture_id_ = vp8->picture_id.has_value();
  picture_id_ = vp8->picture_id.value_or(0);
  has_tl0_ = vp8->tl0_pic_idx.has_value();
  tl0_pic_idx_ = vp8->tl0_pic_idx.value_or(0);
  ++stats_.packets;
  ++stats_.layer_packets[stamp->layer];
}

}  // namespace ct::loadtest
