#pragma once
// Records one published track: the SFU's tap (sfu/PacketTap.hpp) for it.
// On the media thread it only copies each packet into its TrackRecording's
// ring, with the arrival time the SFU hands it (a memcpy: no allocation,
// lock, clock read or system call; a full ring drops the packet and counts
// it). The publisher's sender reports take the same way. A
// RecordingWriterThread does everything else, and asks for keyframes
// through take_keyframe_request(). Destroying the tap tells the writer
// thread that the track ended; it then drains the rest and closes the files.
#include <memory>

#include "record/TrackRecording.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/PacketTap.hpp"

namespace ct::record {

class RecordingWriterThread;

class TrackRecorder final : public sfu::PacketTap {
 public:
  explicit TrackRecorder(std::shared_ptr<TrackRecording> recording);
  ~TrackRecorder() override;
  TrackRecorder(const TrackRecorder&) = delete;
  TrackRecorder& operator=(const TrackRecorder&) = delete;

  // A recorder whose recording `writer` drains.
  static std::unique_ptr<TrackRecorder> start(RecordingWriterThread& writer, TrackRecordingConfig config);

  void on_packet(const rtp::RtpPacket& packet) override;  // reads the clock
  void on_packet_at(const rtp::RtpPacket& packet, TimePoint arrival) override {
    recording_->push(packet.bytes(), arrival);
  }
  void on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, TimePoint arrival) override;
  // One atomic load, and an exchange when the writer thread asked.
  bool take_keyframe_request() override { return recording_->take_keyframe_request(); }

  const TrackRecording& recording() const { return *recording_; }

 private:
  std::shared_ptr<TrackRecording> recording_;
};

}  // namespace ct::record
