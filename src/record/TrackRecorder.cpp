#include "record/TrackRecorder.hpp"

#include "record/RecordingWriterThread.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {

TrackRecorder::TrackRecorder(std::shared_ptr<TrackRecording> recording) : recording_(std::move(recording)) {}

TrackRecorder::~TrackRecorder() { recording_->close_input(); }

std::unique_ptr<TrackRecorder> TrackRecorder::start(RecordingWriterThread& writer,
                                                    TrackRecordingConfig config) {
  auto recording = std::make_shared<TrackRecording>(std::move(config));
  writer.add(recording);
  return std::make_unique<TrackRecorder>(std::move(recording));
}

void TrackRecorder::on_packet(const rtp::RtpPacket& packet) {
  recording_->push(packet.bytes(), Clock::now());
}

void TrackRecorder::on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, TimePoint arrival) {
  recording_->push_sender_report(ntp_timestamp, rtp_timestamp, arrival);
}

}  // namespace ct::record
