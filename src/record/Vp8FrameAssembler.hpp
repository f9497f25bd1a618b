#pragma once
// Rebuilds the VP8 frames of one RTP stream (RFC 7741) from its packets, as
// the SFU receives them: in any order, with losses and duplicates.
//
// A frame is the run of packets from one that starts it (S=1, PID=0,
// §4.3) up to the one with the marker bit (§4.1), every sequence number in
// between present and all with the frame's timestamp. A complete frame is
// handed to the listener as the VP8 bitstream, payload descriptors removed,
// in sequence order. Frames go out in stream order: a frame waits while an
// earlier one misses a packet (a retransmission may still bring it). The
// wait ends when a later keyframe is complete, when the newest packet's
// timestamp is `max_wait_rtp` past the waiting frame's (a time bound in RTP
// clock units, so a lost packet holds the stream back as long at 30 packets/s
// as at 500), or when the window of buffered sequence numbers is full; then
// the earlier frames are dropped and counted. After a dropped frame only a keyframe may follow, as a
// decoder could not use delta frames that depend on the lost one; the same
// holds at the start of the stream.
//
// Memory is fixed at construction: `max_packets` slots of `max_packet_bytes`
// each, plus one frame buffer that grows to the largest frame and is reused.
// A frame of more packets than the window holds can never complete; it is
// dropped and counted as oversized. Single-threaded, like the media path.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "record/RtpPacketWindow.hpp"

namespace ct::record {

// One complete frame. `data` is valid only during the listener call.
struct Vp8Frame {
  uint32_t rtp_timestamp = 0;
  bool keyframe = false;
  uint16_t first_sequence_number = 0;
  uint16_t last_sequence_number = 0;
  std::span<const uint8_t> data;  // the VP8 frame (RFC 6386 §9.1 onward)
};

class Vp8FrameAssembler {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Called from inside push() or finish(); must not call back into the assembler.
    virtual void on_vp8_frame(const Vp8Frame& frame) = 0;
  };

  struct Limits {
    size_t max_packets = 512;        // the window of buffered sequence numbers
    size_t max_packet_bytes = 1500;  // VP8 data of one packet, descriptor removed
    uint32_t max_wait_rtp = 0;       // RTP clock units a missing packet is waited for; 0: the window only
  };

  struct Stats {
    uint64_t packets = 0;             // stored for assembly
    uint64_t duplicate_packets = 0;   // a copy of one still buffered
    uint64_t late_packets = 0;        // its frame was already written or dropped
    uint64_t invalid_packets = 0;     // no valid payload descriptor, or larger than max_packet_bytes
    uint64_t frames = 0;              // handed to the listener
    uint64_t incomplete_frames = 0;   // dropped: a packet never came, or came too late
                                      // (frames of which no packet came are not seen)
    uint64_t undecodable_frames = 0;  // complete, but after a loss and before the next keyframe
    uint64_t oversized_frames = 0;    // dropped: more packets than the window holds
  };

  explicit Vp8FrameAssembler(Listener& listener) : Vp8FrameAssembler(listener, Limits{}) {}
  Vp8FrameAssembler(Listener& listener, Limits limits);

  // One RTP packet of the stream: header fields and the payload (padding removed).
  void push(uint16_t sequence_number, uint32_t timestamp, bool marker, std::span<const uint8_t> payload);

  // The stream ended: frames still waiting for a packet are dropped and
  // counted, and complete keyframes behind them are still handed out.
  void finish();

  const Stats& stats() const { return stats_; }
  const Limits& limits() const { return limits_; }
  // True until the first keyframe goes out and again after a dropped frame,
  // until the next keyframe: the moment to ask the sender for one.
  bool waiting_for_keyframe() const { return need_keyframe_; }

 private:
  using Packet = RtpPacketWindow::Packet;

  void drain();
  void complete_frame(int64_t first, int64_t last);
  bool drop_head_frame();
  // Drops the head frame and writes what is then complete; false when
  // nothing is stored.
  bool give_up_on_head();
  void copy_window_counts();
  void jump_to_keyframe_with(int64_t sequence);

  Listener& listener_;
  Limits limits_;
  Stats stats_;
  RtpPacketWindow window_;
  std::vector<uint8_t> frame_;
  bool need_keyframe_ = true;
  std::optional<uint32_t> dropped_timestamp_;  // later packets of this frame go silently
};

}  // namespace ct::record
