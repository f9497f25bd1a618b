#pragma once
// One track's RTP packets, in the order they arrived, to a WebM file:
// depacketized (VP8 frames rebuilt by Vp8FrameAssembler, RFC 7741; an Opus
// RTP payload is one Opus packet, RFC 7587 §4.2, put back in sequence
// order by RtpReorderBuffer) and muxed by WebmTrackWriter. The live
// recorder and `recover` both use it, so a recovered file is the file the
// recording would have written.
//
// Memory is fixed at construction (see docs/recording.md): VP8 keeps a
// window of 512 packets, Opus one of 64. Not thread-safe; for a recording
// writer thread.
#include <cstdint>
#include <optional>
#include <string>

#include "record/RtpReorderBuffer.hpp"
#include "record/Vp8FrameAssembler.hpp"
#include "record/WebmTrackWriter.hpp"

namespace ct::rtp {
class RtpPacket;
}

namespace ct::record {

class RtpWebmWriter final : Vp8FrameAssembler::Listener, RtpReorderBuffer::Listener {
 public:
  static constexpr size_t kVideoWindowPackets = 512;
  static constexpr size_t kAudioWindowPackets = 64;
  static constexpr size_t kMaxPayloadBytes = 1500;  // one packet of a 1500-byte MTU

  // Packets of another payload type than `payload_type` are left out
  // (RtpDumpHeader::kAnyPayloadType takes all).
  RtpWebmWriter(std::string path, WebmTrackWriter::Format format, uint8_t payload_type);

  void push(const rtp::RtpPacket& packet);
  // Hands out what is still buffered and closes the file. False if the
  // writer failed, now or before (see webm().error()).
  bool finish();

  const WebmTrackWriter& webm() const { return webm_; }
  uint64_t other_payload_type_packets() const { return other_payload_type_; }
  // Exactly one of these is set, by the codec.
  const Vp8FrameAssembler* assembler() const { return assembler_ ? &*assembler_ : nullptr; }
  const RtpReorderBuffer* reorder_buffer() const { return reorder_ ? &*reorder_ : nullptr; }

 private:
  void on_vp8_frame(const Vp8Frame& frame) override;
  void on_ordered_packet(const RtpReorderBuffer::Packet& packet) override;

  WebmTrackWriter webm_;
  uint8_t payload_type_;
  uint64_t other_payload_type_ = 0;
  std::optional<Vp8FrameAssembler> assembler_;
  std::optional<RtpReorderBuffer> reorder_;
  bool finished_ = false;
};

}  // namespace ct::record
