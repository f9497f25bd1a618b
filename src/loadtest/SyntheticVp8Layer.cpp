#include "loadtest/SyntheticVp8Layer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/Random.hpp"
#include "loadtest/PayloadStamp.hpp"
#include "rtp/RtpPacketBuilder.hpp"

namespace ct::loadtest {
namespace {
// L1T3 (libwebrtc's default for VP8 simulcast): TIDs of four frames in turn.
constexpr uint8_t kTemporalPattern[4] = {0, 2, 1, 2};
// Y (RFC 7741 §4.2): a frame that depends only on TID 0 frames.
constexpr bool kLayerSync[4] = {false, true, true, false};
}  // namespace

SyntheticVp8Layer::SyntheticVp8Layer(Params params, uint32_t ssrc) : params_(std::move(params)), ssrc_(ssrc) {
  params_.payload_bytes = std::max(params_.payload_bytes, kMinPayload);
  params_.frames_per_second = std::max<uint32_t>(1, params_.frames_per_second);
  params_.packets_per_second = std::max(1.0, params_.packets_per_second);
  packets_per_frame_ = std::max<uint32_t>(
      1, uint32_t(std::lround(params_.packets_per_second / double(params_.frames_per_second))));
  // A frame lasts as long as its packets take to send, so RTP time keeps up with the wall clock.
  frame_ticks_ = uint32_t(90000.0 * packets_per_frame_ / params_.packets_per_second);
  // RFC 3550 §5.1: random initial sequence number and timestamp; RFC 7741: random PictureID.
  sequence_ = random_sequence_start();
  timestamp_ = random_u32();
  picture_id_ = uint16_t(random_u32() & 0x7FFF);
  tl0_pic_idx_ = uint8_t(random_u32());
  payload_.assign(params_.payload_bytes, 0);
  for (size_t i = 0; i < payload_.size(); ++i) payload_[i] = uint8_t(i * 131 + 7 + params_.index);
}

void SyntheticVp8Layer::start(TimePoint now) {
  window_start_ = now;
  sent_in_window_ = 0;
}

uint64_t SyntheticVp8Layer::due(TimePoint now) const {
  if (!active_) return 0;
  const double elapsed = std::chrono::duration<double>(now - window_start_).count();
  const auto target = uint64_t(std::max(0.0, elapsed) * params_.packets_per_second);
  return target > sent_in_window_ ? target - sent_in_window_ : 0;
}

void SyntheticVp8Layer::request_keyframe() {
  ++stats_.keyframe_requests;
  keyframe_wanted_ = true;
}

void SyntheticVp8Layer::set_active(bool active, TimePoint now) {
  if (active == active_) return;
  active_ = active;
  if (!active_) {
    ++stats_.pauses;
    return;
  }
  start(now);
  keyframe_wanted_ = true;
  // An encoder that resumes mid-frame would not: begin a new frame.
  if (packet_in_frame_ != 0) {
    packet_in_frame_ = 0;
    timestamp_ += frame_ticks_;
  }
}

size_t SyntheticVp8Layer::next_packet(std::span<uint8_t> out, const Wire& wire, uint16_t transport_sequence,
                                      TimePoint now) {
  const bool first = packet_in_frame_ == 0;
  const bool last = packet_in_frame_ + 1 >= packets_per_frame_;
  if (first) {
    frame_is_key_ = keyframe_wanted_;
    keyframe_wanted_ = false;
    if (frame_is_key_) {
      pattern_position_ = 0;  // a keyframe restarts the temporal pattern on TID 0
      ++stats_.keyframes_sent;
    }
    picture_id_ = uint16_t((picture_id_ + 1) & 0x7FFF);
    if (kTemporalPattern[pattern_position_] == 0) ++tl0_pic_idx_;
  }
  const uint8_t tid = kTemporalPattern[pattern_position_];

  // RFC 7741 §4.2 descriptor: X=1, N for frames nothing references (TID 2),
  // S=1 on the frame's first packet, PID 0; I, L, T present; M=1 (15-bit PictureID).
  auto& p = payload_;
  p[0] = uint8_t(0x80 | (tid == 2 ? 0x20 : 0) | (first ? 0x10 : 0));
  p[1] = 0xE0;
  p[2] = uint8_t(0x80 | picture_id_ >> 8);
  p[3] = uint8_t(picture_id_);
  p[4] = tl0_pic_idx_;
  p[5] = uint8_t(tid << 6 | (kLayerSync[pattern_position_] ? 0x20 : 0));
  auto data = std::span<uint8_t>(p).subspan(kDescriptorSize);
  if (first) {
    // RFC 6386 §9.1 frame tag: P=0 for a keyframe, show_frame=1; a
    // keyframe's start code 9d 01 2a, then width and height (14 bits each, no scaling).
    data[0] = frame_is_key_ ? 0x10 : 0x11;
    data[1] = data[2] = 0;
    if (frame_is_key_) {
      data[3] = 0x9d;
      data[4] = 0x01;
      data[5] = 0x2a;
      data[6] = uint8_t(params_.width);
      data[7] = uint8_t(params_.width >> 8 & 0x3F);
      data[8] = uint8_t(params_.height);
      data[9] = uint8_t(params_.height >> 8 & 0x3F);
    } else {
      for (size_t i = 3; i < PayloadStamp::kOffset; ++i) data[i] = uint8_t(i * 131 + 7);
    }
  }
  PayloadStamp{params_.source, params_.index, PayloadStamp::time_us(now)}.write(data);

  const uint8_t mid[1] = {uint8_t(wire.mid)};
  const uint8_t tcc[2] = {uint8_t(transport_sequence >> 8), uint8_t(transport_sequence)};
  const auto rid =
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(params_.rid.data()), params_.rid.size());
  rtp::RtpPacketBuilder builder;
  builder.marker(last)
      .payload_type(wire.payload_type)
      .sequence_number(sequence_)
      .timestamp(timestamp_)
      .ssrc(ssrc_)
      .add_extension(wire.transport_cc_id, tcc)
      .add_extension(wire.mid_id, mid);
  if (!ssrc_confirmed_) builder.add_extension(wire.rid_id, rid);
  const size_t length = builder.payload(payload_).build(out);
  if (length == 0) return 0;

  ++sequence_;
  ++sent_in_window_;
  ++stats_.packets_sent;
  if (last) {
    timestamp_ += frame_ticks_;
    packet_in_frame_ = 0;
    pattern_position_ = uint8_t((pattern_position_ + 1) % 4);
  } else {
    ++packet_in_frame_;
  }
  return length;
}

}  // namespace ct::loadtest
