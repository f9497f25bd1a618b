#pragma once
// One RTP stream a publisher sends for a track: the whole track without
// simulcast, or one simulcast encoding (RFC 8853) named by its RID (RFC
// 8851). Each has its own SSRC (and RTX SSRC), reception statistics, NACKs,
// retransmission buffer and keyframe requests (RFC 4585 §6.2.1, §6.3.1),
// and the size its last keyframe announced.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "rtp/RtcpReportBlock.hpp"
#include "sfu/KeyframeRequestThrottle.hpp"
#include "sfu/LayerBitrate.hpp"

namespace ct::sfu {

class ReceiveStreamStats;
class RetransmissionBuffer;

class PublicationLayer {
 public:
  // A layer that sent nothing for this long is taken as stopped (paused by
  // the publisher, or its encoder dropped it for bandwidth).
  static constexpr Duration kLiveWindow = milliseconds(1500);

  struct Stats {
    uint64_t packets_in = 0;
    uint64_t keyframes_in = 0;
    uint64_t keyframe_requests_sent = 0;
    uint64_t keyframe_requests_throttled = 0;
    uint64_t nacks_sent = 0;
  };

  PublicationLayer(std::string rid, uint32_t clock_rate, bool keep_packets,
                   Duration keyframe_request_interval);
  ~PublicationLayer();
  PublicationLayer(const PublicationLayer&) = delete;
  PublicationLayer& operator=(const PublicationLayer&) = delete;

  const std::string& rid() const { return rid_; }
  uint32_t ssrc() const { return ssrc_; }
  uint32_t rtx_ssrc() const { return rtx_ssrc_; }
  void set_ssrcs(uint32_t ssrc, uint32_t rtx_ssrc) {
    ssrc_ = ssrc;
    rtx_ssrc_ = rtx_ssrc;
  }

  // A packet of this layer: false for a duplicate, which goes nowhere.
  bool on_packet(std::span<const uint8_t> bytes, uint16_t sequence_number, uint32_t timestamp, TimePoint now);
  // Keeps a forwarded packet for retransmissions.
  void store(std::span<const uint8_t> bytes, uint16_t sequence_number, TimePoint now);
  void on_keyframe(uint16_t width, uint16_t height, TimePoint now);
  // A packet that is forwarded (not a duplicate), counted into the bitrate
  // with its VP8 temporal layer (0 when it has none).
  void count_forwarded(size_t bytes, uint8_t temporal_id, TimePoint now) {
    bitrate_.add(bytes, temporal_id, now);
  }
  // What this layer arrived at over the last second (LayerBitrate).
  const LayerBitrate& bitrate() const { return bitrate_; }
  void on_sender_report(uint64_t ntp_timestamp, TimePoint now);
  void set_rtt(Duration rtt);

  // Sent a packet within kLiveWindow of `now`.
  bool live(TimePoint now) const { return received_ && now - last_packet_ < kLiveWindow; }
  bool received() const { return received_; }
  std::optional<TimePoint> last_keyframe() const { return last_keyframe_; }
  // From the last keyframe's header where the codec says (VP8), else 0.
  uint16_t width() const { return width_; }
  uint16_t height() const { return height_; }

  // Whether a keyframe request may go out now; otherwise it is remembered
  // and wanted_keyframe() says one is owed when the interval ends.
  bool allow_keyframe_request(TimePoint now);
  bool keyframe_owed(TimePoint now);
  void note_keyframe_request_sent() { ++stats_.keyframe_requests_sent; }
  // Sequence numbers to NACK now (RFC 4585 §6.2.1).
  void collect_nacks(TimePoint now, std::vector<uint16_t>& out);
  void note_nack_sent() { ++stats_.nacks_sent; }
  std::optional<std::span<const uint8_t>> find_packet(uint16_t sequence_number, TimePoint now) const;
  rtp::RtcpReportBlock make_report_block(TimePoint now);
  double loss_fraction() const;
  const ReceiveStreamStats& receive_stats() const { return *receive_stats_; }
  const Stats& stats() const { return stats_; }

 private:
  std::string rid_;
  uint32_t ssrc_ = 0, rtx_ssrc_ = 0;
  std::unique_ptr<ReceiveStreamStats> receive_stats_;
  std::unique_ptr<RetransmissionBuffer> retransmission_buffer_;  // video only
  KeyframeRequestThrottle keyframe_throttle_;
  bool keyframe_wanted_ = false;
  bool received_ = false;
  TimePoint last_packet_{};
  std::optional<TimePoint> last_keyframe_;
  uint16_t width_ = 0, height_ = 0;
  LayerBitrate bitrate_;
  Stats stats_;
};

}  // namespace ct::sfu
