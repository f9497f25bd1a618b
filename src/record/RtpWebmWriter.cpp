#include "record/RtpWebmWriter.hpp"

#include "record/RtpDumpHeader.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {

RtpWebmWriter::RtpWebmWriter(std::string path, WebmTrackWriter::Format format, uint8_t payload_type)
    : webm_(std::move(path), format),
      payload_type_(payload_type),
      start_clock_(track_codec_clock_rate(format.codec)),
      clock_rate_(track_codec_clock_rate(format.codec)) {
  const uint32_t max_wait_rtp = track_codec_clock_rate(format.codec) / 1000 * kMaxWaitMs;
  if (format.codec == TrackCodec::Vp8) {
    assembler_.emplace(static_cast<Vp8FrameAssembler::Listener&>(*this),
                       Vp8FrameAssembler::Limits{kVideoWindowPackets, kMaxPayloadBytes, max_wait_rtp});
  } else if (format.codec == TrackCodec::H264) {
    h264_.emplace(static_cast<H264FrameAssembler::Listener&>(*this),
                  H264FrameAssembler::Limits{kVideoWindowPackets, kMaxPayloadBytes, max_wait_rtp});
  } else {
    reorder_.emplace(static_cast<RtpReorderBuffer::Listener&>(*this), kAudioWindowPackets, kMaxPayloadBytes);
  }
}

void RtpWebmWriter::push(const rtp::RtpPacket& packet, int64_t arrival_unix_us) {
  if (finished_) return;
  arrival_unix_us_ = arrival_unix_us;
  arrival_rtp_timestamp_ = packet.timestamp();
  // A sender report kept in the dump (RtpDumpHeader::is_rtcp) is no media.
  if (RtpDumpHeader::is_rtcp(packet.bytes())) return;
  if (payload_type_ != RtpDumpHeader::kAnyPayloadType && packet.payload_type() != payload_type_) {
    ++other_payload_type_;
    return;
  }
  if (assembler_) {
    assembler_->push(packet.sequence_number(), packet.timestamp(), packet.marker(), packet.payload());
  } else if (h264_) {
    h264_->push(packet.sequence_number(), packet.timestamp(), packet.marker(), packet.payload());
  } else {
    reorder_->push(packet.sequence_number(), packet.timestamp(), packet.payload());
  }
}

bool RtpWebmWriter::finish() {
  if (!finished_) {
    finished_ = true;
    if (assembler_) assembler_->finish();
    if (h264_) h264_->finish();
    if (reorder_) reorder_->finish();
  }
  return webm_.close();
}

void RtpWebmWriter::on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp,
                                     int64_t arrival_unix_us) {
  start_clock_.on_sender_report(ntp_timestamp, rtp_timestamp, arrival_unix_us);
}

bool RtpWebmWriter::wants_keyframe() const {
  if (finished_ || !webm_.error().empty()) return false;
  return (assembler_ && assembler_->waiting_for_keyframe()) || (h264_ && h264_->waiting_for_keyframe());
}

void RtpWebmWriter::on_vp8_frame(const Vp8Frame& frame) {
  webm_.write(frame.rtp_timestamp, frame.keyframe, frame.data);
  note_start();
}

void RtpWebmWriter::on_h264_frame(const H264Frame& frame) {
  webm_.write(frame.rtp_timestamp, frame.keyframe, frame.data, frame.parameter_sets);
  note_start();
}

void RtpWebmWriter::on_ordered_packet(const RtpReorderBuffer::Packet& packet) {
  webm_.write(packet.timestamp, true, packet.payload);
  note_start();
}

void RtpWebmWriter::note_start() {
  if (!webm_.started()) return;
  // The first frame may come out of a reorder window only when a later
  // packet arrives: it arrived earlier by their RTP distance.
  const auto later = int32_t(arrival_rtp_timestamp_ - webm_.first_rtp_timestamp());
  const int64_t earlier_us = later > 0 ? int64_t(later) * 1'000'000 / clock_rate_ : 0;
  start_clock_.on_media_start(webm_.first_rtp_timestamp(), arrival_unix_us_ - earlier_us);
}

}  // namespace ct::record
