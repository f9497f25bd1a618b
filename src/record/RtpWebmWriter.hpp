#pragma once
// One track's RTP packets, in the order they arrived, to a WebM file:
// depacketized (VP8 frames rebuilt by Vp8FrameAssembler, RFC 7741; H.264
// access units by H264FrameAssembler, RFC 6184, into Matroska; an Opus
// RTP payload is one Opus packet, RFC 7587 §4.2, put back in sequence
// order by RtpReorderBuffer) and muxed by WebmTrackWriter. The live
// recorder and `recover` both use it, so a recovered file is the file the
// recording would have written.
//
// The jitter buffer: VP8 waits up to kMaxWait of RTP time (and at most its
// window of 512 packets) for a missing packet, long enough for the SFU's
// NACKs to bring a retransmission (sfu::ReceiveStreamStats retries every
// RTT for up to 1 s); then it drops the frame, and wants_keyframe() says
// that a keyframe would end the gap. Opus waits for 64 packets (1.28 s).
// It also places the file's time zero on the wall clock (MediaStartClock),
// from the publisher's RTCP sender reports when they come.
//
// Memory is fixed at construction (see docs/recording.md): VP8 keeps a
// window of 512 packets (H.264 too), Opus one of 64. Not thread-safe; for a recording
// writer thread.
#include <cstdint>
#include <optional>
#include <string>

#include "record/H264FrameAssembler.hpp"
#include "record/MediaStartClock.hpp"
#include "record/RtpReorderBuffer.hpp"
#include "record/Vp8FrameAssembler.hpp"
#include "record/WebmTrackWriter.hpp"

namespace ct::rtp {
class RtpPacket;
}

namespace ct::record {

class RtpWebmWriter final : Vp8FrameAssembler::Listener,
                            H264FrameAssembler::Listener,
                            RtpReorderBuffer::Listener {
 public:
  static constexpr size_t kVideoWindowPackets = 512;
  static constexpr size_t kAudioWindowPackets = 64;
  static constexpr size_t kMaxPayloadBytes = 1500;  // one packet of a 1500-byte MTU
  static constexpr uint32_t kMaxWaitMs = 500;       // for a retransmission, in RTP time

  // Packets of another payload type than `payload_type` are left out
  // (RtpDumpHeader::kAnyPayloadType takes all).
  RtpWebmWriter(std::string path, WebmTrackWriter::Format format, uint8_t payload_type);

  // `arrival_unix_us`: when the packet arrived (µs since the Unix epoch),
  // for the file's time zero when no sender report came; 0 if unknown.
  void push(const rtp::RtpPacket& packet, int64_t arrival_unix_us = 0);
  // The publisher's RTCP sender report for this track (RFC 3550 §6.4.1).
  void on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, int64_t arrival_unix_us);
  // Hands out what is still buffered and closes the file. False if the
  // writer failed, now or before (see webm().error()).
  bool finish();

  const WebmTrackWriter& webm() const { return webm_; }
  // Video only: the file has not started, or a frame was dropped, and only
  // a keyframe can carry on.
  bool wants_keyframe() const;
  // Time zero of the file on the wall clock; nullopt until it has started.
  std::optional<int64_t> media_start_unix_us() const { return start_clock_.media_start_unix_us(); }
  const MediaStartClock& start_clock() const { return start_clock_; }
  uint64_t other_payload_type_packets() const { return other_payload_type_; }
  // Exactly one of these is set, by the codec.
  const Vp8FrameAssembler* assembler() const { return assembler_ ? &*assembler_ : nullptr; }
  const H264FrameAssembler* h264_assembler() const { return h264_ ? &*h264_ : nullptr; }
  const RtpReorderBuffer* reorder_buffer() const { return reorder_ ? &*reorder_ : nullptr; }

 private:
  void on_vp8_frame(const Vp8Frame& frame) override;
  void on_h264_frame(const H264Frame& frame) override;
  void on_ordered_packet(const RtpReorderBuffer::Packet& packet) override;
  void note_start();

  WebmTrackWriter webm_;
  uint8_t payload_type_;
  uint64_t other_payload_type_ = 0;
  std::optional<Vp8FrameAssembler> assembler_;
  std::optional<H264FrameAssembler> h264_;
  std::optional<RtpReorderBuffer> reorder_;
  bool finished_ = false;
  MediaStartClock start_clock_;
  uint32_t clock_rate_;
  int64_t arrival_unix_us_ = 0;         // of the packet being pushed
  uint32_t arrival_rtp_timestamp_ = 0;  // and its RTP timestamp
};

}  // namespace ct::record
