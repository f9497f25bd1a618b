#pragma once
// One recorded track, shared by the two threads that touch it: the media
// thread pushes packets into its ring (through TrackRecorder, the SFU's
// tap) and a RecordingWriterThread drains them into two files in
// `directory`:
//   <name>.rtpdump  every packet as received and the publisher's RTCP
//                   sender reports (RtpDumpHeader.hpp), flushed
//                   to the kernel after every drain, for `recover`
//   <name>.webm     the track depacketized and muxed (RtpWebmWriter);
//                   <name>.mkv for H.264
// The files are created by the writer thread at its first drain, never on
// the media thread.
//
// The media side's counters are atomics any thread may read. The writer
// side's numbers (writer_stats()) belong to the writer thread until
// finished() is true. Two atomics go back from the writer thread: a
// keyframe request (raised when the file needs a keyframe to carry on after
// a dropped frame, or still has none to start with a second after the
// track's packets began; the media thread takes it and sends a PLI) and
// the file's time zero on the wall clock, for the manifest.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/Clock.hpp"
#include "record/RtpDumpHeader.hpp"
#include "record/SpscPacketRing.hpp"
#include "record/TrackCodec.hpp"

namespace ct::record {

class RtpDumpWriter;
class RtpWebmWriter;

struct TrackRecordingConfig {
  std::filesystem::path directory;
  std::string name;  // the files' name without extension
  TrackCodec codec = TrackCodec::Vp8;
  uint8_t payload_type = RtpDumpHeader::kAnyPayloadType;  // others are dumped, not muxed
  uint8_t channels = 2;                                   // Opus
  size_t ring_slots = 0;                                  // 0: kVideoRingSlots or kAudioRingSlots
  size_t max_packet_bytes = 1500;                         // larger packets are dropped and counted
};

class TrackRecording {
 public:
  // While the file waits for a keyframe, the writer thread asks again this
  // often (the SFU's own throttle spaces the PLIs it sends); at the start it
  // waits this long for the keyframe the room asked for.
  static constexpr Duration kKeyframeRequestInterval = milliseconds(1000);

  // About 2 s of a video track at 250 packets/s, or 2.5 s of Opus
  // at 50 packets/s, waiting for a writer thread that polls every 20 ms.
  static constexpr size_t kVideoRingSlots = 512;
  static constexpr size_t kAudioRingSlots = 128;

  struct WriterStats {
    uint64_t packets_dumped = 0;
    uint64_t packets_unparsable = 0;  // not RTP: dumped, not muxed
    uint64_t frames_written = 0;
    uint64_t frames_incomplete =
        0;  // video: a packet never came (H.264: or its fragments did not join); Opus: lost packets
    std::string dump_error;  // empty while all is well
    std::string webm_error;
  };

  explicit TrackRecording(TrackRecordingConfig config);
  ~TrackRecording();
  TrackRecording(const TrackRecording&) = delete;
  TrackRecording& operator=(const TrackRecording&) = delete;

  // --- media thread ---
  void push(std::span<const uint8_t> packet, TimePoint arrival) {
    const auto result = ring_.push(packet, arrival.time_since_epoch().count());
    // One writer per counter: a load and a store, no read-modify-write.
    if (result == SpscPacketRing::PushResult::Ok) {
      packets_queued_.store(packets_queued_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    } else {
      packets_dropped_.store(packets_dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
  }
  // The publisher's sender report (RFC 3550 §6.4.1): goes through the ring
  // (and into the dump) as a 28-byte RTCP SR, in order with the packets.
  void push_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, TimePoint arrival);
  // True once per request from the writer thread: ask the publisher for a keyframe.
  bool take_keyframe_request() {
    if (!keyframe_wanted_.load(std::memory_order_relaxed)) return false;
    return keyframe_wanted_.exchange(false, std::memory_order_relaxed);
  }
  // No more packets will come (the tap is gone).
  void close_input() { input_closed_.store(true, std::memory_order_release); }

  // --- writer thread ---
  // Takes what the ring holds into the files; returns how many packets.
  size_t drain();
  // Drains the rest and closes both files. Once only; later calls do nothing.
  void finish();
  bool input_closed() const { return input_closed_.load(std::memory_order_acquire); }

  // --- any thread ---
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  uint64_t packets_queued() const { return packets_queued_.load(std::memory_order_relaxed); }
  // Ring full, or larger than max_packet_bytes: lost to the recording.
  uint64_t packets_dropped() const { return packets_dropped_.load(std::memory_order_relaxed); }
  const TrackRecordingConfig& config() const { return config_; }
  std::filesystem::path dump_path() const;
  std::filesystem::path webm_path() const;
  size_t ring_memory_bytes() const { return ring_.memory_bytes(); }
  // Time zero of the media file on the wall clock (µs since the Unix
  // epoch; see MediaStartClock), once its first frame is written.
  std::optional<int64_t> media_start_unix_us() const {
    const int64_t value = media_start_unix_us_.load(std::memory_order_relaxed);
    if (value == kUnknown) return std::nullopt;
    return value;
  }

  // Writer thread only, or after finished().
  WriterStats writer_stats() const;

 private:
  static constexpr int64_t kUnknown = INT64_MIN;

  void open_files();
  void log_errors();
  void take_packet(std::span<uint8_t> packet, int64_t arrival_ns);
  void publish_writer_state();

  const TrackRecordingConfig config_;
  SpscPacketRing ring_;
  const TimePoint start_;         // arrival times in the dump count from here
  const uint64_t start_unix_us_;  // the same moment on the wall clock
  // Written by the media thread: off the ring's read counter's cache line.
  alignas(64) std::atomic<uint64_t> packets_queued_{0};
  std::atomic<uint64_t> packets_dropped_{0};
  std::atomic<bool> input_closed_{false};
  std::atomic<bool> finished_{false};
  // Written by the writer thread, read by the media thread and the manifest.
  alignas(64) std::atomic<bool> keyframe_wanted_{false};
  std::atomic<int64_t> media_start_unix_us_{kUnknown};

  // Writer thread only.
  bool opened_ = false;
  std::unique_ptr<RtpDumpWriter> dump_;
  std::unique_ptr<RtpWebmWriter> webm_;
  uint64_t packets_unparsable_ = 0;
  bool dump_error_logged_ = false;
  bool webm_error_logged_ = false;
  std::optional<TimePoint> first_media_at_;  // when the writer took the track's first RTP packet
  TimePoint last_keyframe_request_{};
  bool keyframe_requested_ = false;  // since the file last had what it needed
};

}  // namespace ct::record
