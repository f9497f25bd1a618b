#pragma once
// Rebuilds the access units (frames) of one H.264 RTP stream (RFC 6184,
// packetization mode 1) from its packets, as the SFU receives them: in any
// order, with losses and duplicates. The frames come out in Annex B byte
// stream form (ITU-T H.264 Annex B: each NAL unit behind 00 00 00 01), what
// libavformat's Matroska muxer takes together with the SPS and PPS.
//
// A frame is the run of packets with one timestamp that the marker bit ends
// (RFC 6184 §5.1), every sequence number in it present; its first packet is
// the one after the previous frame's last. FU-A fragments are joined back
// into their NAL unit (§5.8); a fragment run that does not start with S or
// end with E makes the frame malformed. Frames go out in stream order: a
// frame waits while it misses a packet, until the newest packet's timestamp
// is `max_wait_rtp` past it (time for a retransmission) or the window of
// buffered sequence numbers is full; then it is dropped and counted. After
// a dropped frame, and at the start, only a keyframe may follow: an access
// unit that begins with its SPS (or an access unit delimiter) and holds the
// SPS, the PPS and an IDR slice, so a decoder can start there.
//
// Memory is fixed at construction: `max_packets` slots of
// `max_packet_bytes` each, plus a frame buffer that grows to the largest
// frame and is reused. Single-threaded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "record/RtpPacketWindow.hpp"

namespace ct::record {

// One complete frame; the spans are valid only during the listener call.
struct H264Frame {
  uint32_t rtp_timestamp = 0;
  bool keyframe = false;                    // holds an IDR slice
  std::span<const uint8_t> data;            // Annex B
  std::span<const uint8_t> parameter_sets;  // the frame's SPS and PPS NAL units, Annex B; may be empty
};

class H264FrameAssembler {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Called from inside push() or finish(); must not call back into the assembler.
    virtual void on_h264_frame(const H264Frame& frame) = 0;
  };

  struct Limits {
    size_t max_packets = 512;        // the window of buffered sequence numbers
    size_t max_packet_bytes = 1500;  // one RTP payload
    uint32_t max_wait_rtp = 0;       // RTP clock units a missing packet is waited for; 0: the window only
  };

  struct Stats {
    uint64_t packets = 0;             // stored for assembly
    uint64_t duplicate_packets = 0;   // a copy of one still buffered
    uint64_t late_packets = 0;        // its frame was already written or dropped
    uint64_t invalid_packets = 0;     // not an RFC 6184 mode 1 payload, or larger than max_packet_bytes
    uint64_t frames = 0;              // handed to the listener
    uint64_t incomplete_frames = 0;   // dropped: a packet never came, or came too late
    uint64_t malformed_frames = 0;    // complete, but its FU-A fragments do not join up
    uint64_t undecodable_frames = 0;  // complete, but not a keyframe where one was needed
  };

  H264FrameAssembler(Listener& listener, Limits limits);

  // One RTP packet of the stream: header fields and the payload (padding removed).
  void push(uint16_t sequence_number, uint32_t timestamp, bool marker, std::span<const uint8_t> payload);
  // The stream ended: complete frames go out, frames still missing a packet are dropped.
  void finish();

  // True until the first keyframe goes out and again after a dropped frame.
  bool waiting_for_keyframe() const { return need_keyframe_; }
  const Stats& stats() const { return stats_; }

 private:
  using Packet = RtpPacketWindow::Packet;

  void drain();
  void complete_frame(int64_t first, int64_t last);
  bool drop_head_frame();
  // Drops the head frame and writes what is then complete; false when
  // nothing is stored.
  bool give_up_on_head();
  void copy_window_counts();
  void append_nal(std::span<const uint8_t> nal);

  Listener& listener_;
  Limits limits_;
  Stats stats_;
  RtpPacketWindow window_;
  std::vector<uint8_t> frame_;
  std::vector<uint8_t> parameter_sets_;
  bool need_keyframe_ = true;
  std::optional<uint32_t>
      dropped_timestamp_;  // of the last dropped frame: its later packets are not counted again
};

}  // namespace ct::record
