#include "record/RtpWebmWriter.hpp"

#include "record/RtpDumpHeader.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {

RtpWebmWriter::RtpWebmWriter(std::string path, WebmTrackWriter::Format format, uint8_t payload_type)
    : webm_(std::move(path), format), payload_type_(payload_type) {
  if (format.codec == TrackCodec::Vp8) {
    assembler_.emplace(static_cast<Vp8FrameAssembler::Listener&>(*this),
                       Vp8FrameAssembler::Limits{kVideoWindowPackets, kMaxPayloadBytes});
  } else {
    reorder_.emplace(static_cast<RtpReorderBuffer::Listener&>(*this), kAudioWindowPackets, kMaxPayloadBytes);
  }
}

void RtpWebmWriter::push(const rtp::RtpPacket& packet) {
  if (finished_) return;
  if (payload_type_ != RtpDumpHeader::kAnyPayloadType && packet.payload_type() != payload_type_) {
    ++other_payload_type_;
    return;
  }
  if (assembler_) {
    assembler_->push(packet.sequence_number(), packet.timestamp(), packet.marker(), packet.payload());
  } else {
    reorder_->push(packet.sequence_number(), packet.timestamp(), packet.payload());
  }
}

bool RtpWebmWriter::finish() {
  if (!finished_) {
    finished_ = true;
    if (assembler_) assembler_->finish();
    if (reorder_) reorder_->finish();
  }
  return webm_.close();
}

void RtpWebmWriter::on_vp8_frame(const Vp8Frame& frame) {
  webm_.write(frame.rtp_timestamp, frame.keyframe, frame.data);
}

void RtpWebmWriter::on_ordered_packet(const RtpReorderBuffer::Packet& packet) {
  webm_.write(packet.timestamp, true, packet.payload);
}

}  // namespace ct::record
