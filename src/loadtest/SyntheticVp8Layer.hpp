#pragma once
// One simulcast layer of a synthetic publisher: VP8-shaped RTP at a paced
// packet rate, as a browser's encoder would send it (RFC 7741). Each frame
// is a few packets at one timestamp; the payload descriptor carries a
// 15-bit PictureID, TL0PICIDX and the temporal layer in Chromium's L1T3
// pattern (TID 0, 2, 1, 2), and a keyframe's first packet carries the frame
// header with the layer's width and height (RFC 6386 §9.1), so an SFU
// rewrites and sizes it as it would real VP8. Every packet carries a
// PayloadStamp. The RID (RFC 8852) goes in every packet until the server's
// receiver report names the SSRC, as libwebrtc does. Nothing allocates
// after construction.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/Clock.hpp"

namespace ct::loadtest {

class SyntheticVp8Layer {
 public:
  struct Params {
    std::string rid;      // "q", "h", "f"
    uint16_t source = 0;  // the publisher's number, for the stamp
    uint8_t index = 0;
    uint16_t width = 0, height = 0;
    double packets_per_second = 30;
    size_t payload_bytes = 1100;
    uint32_t frames_per_second = 30;
  };
  // Where the packet's header extensions and payload type go (the offer's numbers).
  struct Wire {
    uint8_t payload_type = 0;
    uint8_t transport_cc_id = 0, mid_id = 0, rid_id = 0;
    char mid = '0';
  };
  struct Stats {
    uint64_t packets_sent = 0, keyframes_sent = 0, keyframe_requests = 0;
    uint64_t pauses = 0;  // set inactive by dynacast
  };

  static constexpr size_t kDescriptorSize = 6;  // X, I (M=1), L, T/K: Chromium's simulcast form
  static constexpr size_t kMinPayload = kDescriptorSize + 32;

  SyntheticVp8Layer(Params params, uint32_t ssrc);

  // Pacing: the packets due since start() that have not been built yet.
  void start(TimePoint now);
  uint64_t due(TimePoint now) const;

  // Builds the next packet into `out` (stamped with `now`); its length, or 0
  // if it does not fit. Counts it as sent.
  size_t next_packet(std::span<uint8_t> out, const Wire& wire, uint16_t transport_sequence, TimePoint now);

  // PLI/FIR (RFC 4585 §6.3.1, RFC 5104 §4.3.1): the next frame is a keyframe.
  void request_keyframe();
  // Dynacast: a paused layer sends nothing; one resumed starts its pacing
  // again at `now` with a keyframe, as an encoder does.
  void set_active(bool active, TimePoint now);
  bool active() const { return active_; }
  // The server reported on this SSRC: the RID is no longer needed.
  void confirm_ssrc() { ssrc_confirmed_ = true; }

  uint32_t ssrc() const { return ssrc_; }
  const Params& params() const { return params_; }
  const Stats& stats() const { return stats_; }

 private:
  Params params_;
  uint32_t ssrc_;
  bool active_ = true;
  bool ssrc_confirmed_ = false;
  bool keyframe_wanted_ = true;  // the first frame is a keyframe
  TimePoint window_start_{};
  uint64_t sent_in_window_ = 0;
  uint32_t packets_per_frame_ = 1, packet_in_frame_ = 0, frame_ticks_ = 3000;
  uint16_t sequence_ = 0, picture_id_ = 0;
  uint32_t timestamp_ = 0;
  uint8_t tl0_pic_idx_ = 0, pattern_position_ = 0;
  bool frame_is_key_ = false;
  std::vector<uint8_t> payload_;
  Stats stats_;
};

}  // namespace ct::loadtest
