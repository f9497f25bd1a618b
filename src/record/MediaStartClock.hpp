#pragma once
// Where time zero of one track's media file sits on the server's wall
// clock. Time zero is the RTP timestamp of the file's first frame. When the
// publisher sent RTCP sender reports (RFC 3550 §6.4.1), that timestamp is
// mapped to the sender's NTP clock through the latest report, and the
// sender's clock to the server's through the smallest (arrival − NTP time)
// seen over all reports: the report that took the shortest path. Every
// track of one sender maps through the same sender clock, so its audio and
// video line up as they were captured (RFC 3550 §6.4.1: the NTP and RTP
// timestamps of one report belong to the same instant). Without a report,
// time zero is the first frame's arrival time as the caller gives it
// (RtpWebmWriter: the arrival of the packet that released the frame, less
// their RTP distance). Not thread-safe; for the recording writer thread.
#include <cstdint>
#include <optional>

namespace ct::record {

class MediaStartClock {
 public:
  explicit MediaStartClock(uint32_t clock_rate) : clock_rate_(clock_rate) {}

  // One sender report: its NTP timestamp (64-bit, RFC 3550 §4), its RTP
  // timestamp, and when it arrived on the server's wall clock (µs since the
  // Unix epoch). Reports without an NTP time are ignored.
  void on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, int64_t arrival_unix_us);
  // The file's first frame; later calls change nothing.
  void on_media_start(uint32_t rtp_timestamp, int64_t arrival_unix_us);

  // Time zero of the file, µs since the Unix epoch; nullopt before the first frame.
  std::optional<int64_t> media_start_unix_us() const;
  // Whether media_start_unix_us() comes from sender reports rather than arrival.
  bool from_sender_reports() const { return have_media_start_ && have_report_; }

  // An NTP timestamp as µs since the Unix epoch (NTP counts from 1900).
  static int64_t ntp_to_unix_us(uint64_t ntp_timestamp);

 private:
  uint32_t clock_rate_;
  bool have_media_start_ = false;
  uint32_t media_start_rtp_ = 0;
  int64_t media_start_arrival_us_ = 0;
  bool have_report_ = false;
  int64_t report_ntp_us_ = 0;  // the latest report's NTP time, as Unix µs
  uint32_t report_rtp_ = 0;
  int64_t min_transit_us_ = 0;  // smallest arrival − NTP time: clock offset plus the shortest path
};

}  // namespace ct::record
