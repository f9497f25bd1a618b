#pragma once
// Writes one track's frames to a WebM file through libavformat's
// Matroska/WebM muxer, without transcoding: VP8 frames (RFC 6386) or Opus
// packets (RFC 6716), each with its RTP timestamp; or H.264 access units
// (Annex B byte stream) to a Matroska file (WebM has no H.264).
//
// - The file is created at the first frame a player can start with: a VP8
//   keyframe (its width and height, §9.1, become the track's), an H.264
//   keyframe that comes with its SPS and PPS (they become the track's
//   CodecPrivate, which the muxer turns into an avcC record, and the SPS
//   gives width and height), or any Opus packet. Frames before it are
//   skipped and counted.
// - Timestamps are the RTP timestamps extended across the 32-bit wrap
//   (RFC 3550 §5.1), counted from the first written frame, on the codec's
//   clock (90 kHz video, 48 kHz audio). A frame whose timestamp is not
//   after the last written one is dropped and counted: the muxer needs
//   them in order.
// - Durations: an Opus packet's from its TOC (RFC 6716 §3.1); a VP8 frame
//   is held until the next one arrives, whose timestamp gives its duration
//   (the last frame repeats the one before), so the file's duration is the
//   track's.
// - Opus gets the CodecPrivate Matroska requires, an OpusHead (RFC 7845
//   §5.1) with a pre-skip of 0: a recording starts mid-stream.
//
// Errors (a file that cannot be created, a muxer that refuses a frame) never
// throw: the writer closes the file, keeps the reason in error(), and later
// calls return false. Not thread-safe; for a recording writer thread, never
// the media thread (the muxer writes to disk).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "record/TrackCodec.hpp"

struct AVFormatContext;
struct AVPacket;

namespace ct::record {

class WebmTrackWriter {
 public:
  struct Format {
    TrackCodec codec = TrackCodec::Vp8;
    uint8_t channels = 2;  // Opus only; WebRTC's opus/48000/2 (RFC 7587 §7)
  };

  struct Stats {
    uint64_t frames_written = 0;
    uint64_t frames_skipped = 0;       // before the first keyframe
    uint64_t frames_out_of_order = 0;  // timestamp not after the last written one
    uint64_t frames_invalid = 0;       // an Opus packet without a valid TOC, an empty frame
  };

  WebmTrackWriter(std::string path, Format format);
  ~WebmTrackWriter();
  WebmTrackWriter(const WebmTrackWriter&) = delete;
  WebmTrackWriter& operator=(const WebmTrackWriter&) = delete;

  // One frame; false if it was not written (skipped, dropped, or after an
  // error). `parameter_sets`: H.264 only, the keyframe's SPS and PPS in
  // Annex B form; the file starts at the first keyframe that has them.
  bool write(uint32_t rtp_timestamp, bool keyframe, std::span<const uint8_t> frame,
             std::span<const uint8_t> parameter_sets = {});
  // Writes the held frame and the file's index and closes it. False if an
  // error happened now or before. Without any written frame, no file exists.
  bool close();

  bool started() const { return header_written_; }  // the file exists
  const std::string& error() const { return error_; }
  const Stats& stats() const { return stats_; }
  const std::string& path() const { return path_; }
  uint16_t width() const { return width_; }
  uint16_t height() const { return height_; }
  // The RTP timestamp of the first written frame: the file's time zero.
  uint32_t first_rtp_timestamp() const { return first_rtp_timestamp_; }
  // From the first written frame to the end of the last one, in RTP clock units.
  int64_t duration() const { return duration_; }

 private:
  bool start(std::span<const uint8_t> first_frame, std::span<const uint8_t> parameter_sets);
  bool read_h264_size(std::span<const uint8_t> parameter_sets);
  bool mux(int64_t pts, int64_t duration, bool keyframe, std::span<const uint8_t> frame);
  bool write_held(int64_t duration);
  void fail(const std::string& what, int av_error);
  void release();

  std::string path_;
  Format format_;
  uint32_t clock_rate_;
  std::string error_;
  Stats stats_;
  AVFormatContext* context_ = nullptr;  // owned; see release()
  AVPacket* packet_ = nullptr;          // owned, reused for every frame
  bool header_written_ = false;
  bool failed_ = false;
  bool closed_ = false;
  uint16_t width_ = 0, height_ = 0;

  bool have_timestamp_ = false;
  uint32_t last_rtp_timestamp_ = 0;
  int64_t extended_timestamp_ = 0;  // of the last frame seen, from the first one seen
  int64_t first_pts_ = 0;           // the extended timestamp of the first written frame
  uint32_t first_rtp_timestamp_ = 0;
  int64_t last_pts_ = -1;  // of the last frame accepted, from first_pts_
  int64_t last_video_duration_ = 0;
  int64_t duration_ = 0;

  // VP8: the frame waiting for the next one to know its duration.
  std::vector<uint8_t> held_;
  int64_t held_pts_ = -1;
  bool held_keyframe_ = false;
};

}  // namespace ct::record
