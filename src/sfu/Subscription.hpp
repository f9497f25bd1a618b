#pragma once
// One participant's subscription to one publication: a stream of the
// subscriber connection with the server's own SSRC, sequence numbers,
// timestamps, payload types and header extension ids. Forwarding copies the
// publisher's packet into a stack buffer, rewrites it for this subscriber
// and hands it to the connection's send path (transport-wide number, SRTP
// protect, send): nothing is allocated per packet.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/Clock.hpp"
#include "core/TokenBucket.hpp"
#include "rtp/RtpExtensionIdMap.hpp"
#include "sfu/KeyframeRequestThrottle.hpp"
#include "sfu/LayerSelector.hpp"
#include "sfu/RoomEvents.hpp"
#include "sfu/RtpStreamRewriter.hpp"
#include "sfu/SenderReportGenerator.hpp"
#include "sfu/SimulcastRewriter.hpp"

namespace ct::rtp {
class RtpPacket;
}
namespace ct::webrtc {
class PeerTransport;
}

namespace ct::sfu {

struct MediaCounters;
class Publication;
class SubscriberSendPath;
struct LayerPacket;

// The server's fixed payload types and header extension ids in every
// subscriber connection (its offers choose them, RFC 8829 §5.2.1).
namespace subscriber_pt {
inline constexpr uint8_t kOpus = 111;
inline constexpr uint8_t kVp8 = 96;
inline constexpr uint8_t kVp8Rtx = 97;
inline constexpr uint8_t kH264 = 102;
inline constexpr uint8_t kH264Rtx = 103;
inline constexpr uint8_t kVp9 = 98;
inline constexpr uint8_t kVp9Rtx = 99;
}  // namespace subscriber_pt
namespace subscriber_extension_id {
inline constexpr uint8_t kMid = 1;
inline constexpr uint8_t kAudioLevel = 2;
inline constexpr uint8_t kAbsSendTime = 3;
inline constexpr uint8_t kTransportCc = 4;  // offered with subscriber bandwidth estimation on
}  // namespace subscriber_extension_id

struct SubscriptionParams {
  std::string mid;  // in the subscriber connection
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;  // 0: no RTX offered
  uint8_t payload_type = 0;
  std::optional<uint8_t> rtx_payload_type;
  double drop_fraction = 0;  // test-only fault injection (RoomOptions::drop_forwarded_fraction)
  uint64_t drop_seed = 1;
  // Where this subscription's stats are added when it ends (the worker's totals), if anywhere.
  MediaCounters* totals = nullptr;
  // The connection's numbering and estimation, which sends every packet; null: straight to the transport.
  SubscriberSendPath* send_path = nullptr;
};

// What the subscriber's answer accepted of an offered section.
struct SubscriptionNegotiation {
  bool rtx = false;
  uint8_t mid_id = 0;  // the server's ids the answer kept, 0 otherwise
  uint8_t audio_level_id = 0;
  uint8_t abs_send_time_id = 0;
  uint8_t transport_cc_id = 0;
};

class Subscription {
 public:
  // Room for a whole MTU-sized packet, the SRTP tag (RFC 7714 §7: 16 bytes)
  // and a transport-wide sequence number element the send path may add.
  static constexpr size_t kPacketBufferSize = 1500 + 32 + 8;

  struct Stats {
    uint64_t forwarded = 0;
    uint64_t dropped_by_fault_injection = 0;
    uint64_t retransmitted = 0;
    uint64_t retransmissions_missing = 0;  // NACKed packets no longer kept
    // NACKed packets not resent: never sent to this subscriber, resent very
    // recently, or over the retransmission budget (a NACK storm).
    uint64_t retransmissions_limited = 0;
    uint64_t keyframe_requests_limited = 0;  // PLI/FIR from this subscriber over its own limit
    uint64_t layer_switches = 0;             // simulcast layer changes made at keyframes
    // RTCP feedback from the subscriber's browser about this stream.
    uint64_t nacks_received = 0, plis_received = 0, firs_received = 0;
  };
  // What the subscriber's browser last reported of this stream (RFC 3550 §6.4.1).
  struct ReceiverReport {
    double loss_fraction = 0;  // over its last interval, 0..1
    int64_t packets_lost = 0;  // cumulative
    uint32_t jitter = 0;       // in RTP timestamp units
    bool received = false;     // a report arrived
  };
  // While a switch waits for the target layer's keyframe, it is asked for again this often.
  static constexpr Duration kSwitchKeyframeRetry = milliseconds(1000);

  // Registers with `publication` until destroyed; the publication must outlive it.
  Subscription(Publication& publication, webrtc::PeerTransport& transport, SubscriptionParams params);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // The subscriber answered the offer carrying this stream: packets flow
  // from now on, and the publisher is asked for a keyframe to start from.
  void activate(const SubscriptionNegotiation& negotiation, TimePoint now);
  bool active() const { return active_; }

  // Forwards one publisher packet (not modified). False if not sent.
  bool forward(const rtp::RtpPacket& packet, TimePoint now);
  // A video packet, read by the publication: a simulcast subscription sends
  // only its layer and switches at keyframes; others forward as above.
  bool forward(const rtp::RtpPacket& packet, const LayerPacket& described, TimePoint now);

  // Adaptive stream: the subscriber's tile for this track (size, visibility,
  // quality limit). The layer is chosen again; a hidden tile gets nothing.
  void update_settings(const TrackSettings& settings, TimePoint now);
  const TrackSettings& settings() const { return settings_; }
  // The most a bandwidth allocator lets this subscription have (a layer
  // index; LayerSelector::kAnyLayer without one).
  void set_budget_max_layer(int layer, TimePoint now);
  // VP8 temporal layers above `tid` are not sent (a lever for a bandwidth
  // allocator); simulcast subscriptions only.
  void set_max_temporal_layer(uint8_t tid) {
    if (simulcast_) simulcast_->set_max_temporal_layer(tid);
  }
  // A bandwidth allocator's pause: nothing is sent until it is lifted, and
  // then the stream restarts at a keyframe (asked for at once).
  void set_paused(bool paused, TimePoint now);
  bool paused() const { return paused_; }
  // The layer the viewer's tile and quality limit want, before any budget
  // limit (what an allocator aims for); kNoLayer for a hidden tile; 0 without simulcast.
  int viewer_layer() const { return simulcast_ ? viewer_layer_ : 0; }
  // The layer the viewer wants (dynacast), kNoLayer for none; 0 without simulcast.
  int desired_layer() const;
  // The layer being sent now, kNoLayer for none.
  int current_layer() const;
  // The layer the subscription is switching to or staying on.
  int target_layer() const;
  // The keyframe a subscriber's PLI/FIR asks for: of the layer it gets (or
  // is switching to), or the whole track's without simulcast.
  void request_keyframe(TimePoint now);
  // Layer choice follows the layers the publisher is sending; a pending
  // switch asks for its keyframe again.
  void on_tick(TimePoint now);
  // Answers a NACK for one of our sequence numbers from the publication's
  // retransmission buffer, as RTX (RFC 4588) when negotiated.
  bool retransmit(uint16_t sequence_number, TimePoint now);
  // A probe packet (libwebrtc's form): RTP padding only, no payload, on our
  // RFC 4588 RTX stream with the last media timestamp, sent through the
  // send path for `cluster`. Returns its size, 0 when this subscription
  // cannot carry one (no RTX negotiated, inactive, nothing sent yet).
  size_t send_padding(size_t padding, int32_t cluster, TimePoint now);
  // Whether this subscriber's PLI/FIR may go on to the publication (which has
  // its own throttle for all subscribers together): one subscriber alone
  // cannot make the publisher send keyframes more often than this allows.
  bool allow_keyframe_request(TimePoint now);
  // RFC 5104 §4.3.1.2: a FIR repeated with the same command sequence number
  // is the same request (a retransmission of the RTCP), not a new one.
  bool is_new_fir(uint8_t command_sequence_number);

  // Limits on what one subscriber's feedback can make the server send.
  static constexpr double kRetransmitsPerSecond = 200, kRetransmitBurst = 200;
  static constexpr Duration kMinResendInterval = milliseconds(50);  // per sequence number
  static constexpr Duration kKeyframeRequestInterval = seconds(1);
  // The source skipped ahead on purpose: continue the numbering.
  void resync() {
    rewriter_.resync();
    if (simulcast_) simulcast_->restart();
  }
  // An SR for this stream (RFC 3550 §6.4.1); 0 before the first packet.
  size_t build_sender_report(std::span<uint8_t> out, TimePoint now);

  Publication& publication() const { return publication_; }
  webrtc::PeerTransport& transport() const { return transport_; }
  const SubscriptionParams& params() const { return params_; }
  uint32_t ssrc() const { return params_.ssrc; }
  uint32_t rtx_ssrc() const { return params_.rtx_ssrc; }
  const Stats& stats() const { return stats_; }
  // Feedback the subscriber connection routed here (counted, for the stats endpoint and metrics).
  void count_nack() { ++stats_.nacks_received; }
  void count_pli() { ++stats_.plis_received; }
  void count_fir() { ++stats_.firs_received; }
  void on_receiver_report(const ReceiverReport& report) { receiver_report_ = report; }
  const ReceiverReport& receiver_report() const { return receiver_report_; }
  // Adds this subscription's stats to `counters` (the metrics endpoint).
  void add_counters(MediaCounters& counters) const;

 private:
  // Copies `packet` into `buffer` and rewrites it for this subscriber with
  // sequence number `sequence_number`; returns the length, 0 if unusable.
  size_t rewrite(std::span<const uint8_t> packet, uint16_t sequence_number, uint32_t timestamp,
                 std::span<uint8_t> buffer);
  // The same, then the VP8 PictureID and TL0PICIDX of a spliced stream.
  size_t rewrite_layer(std::span<const uint8_t> packet, const SimulcastRewriter::Output& output,
                       std::span<uint8_t> buffer);
  bool send_media(std::span<uint8_t> buffer, size_t length, uint32_t timestamp, size_t payload_size,
                  TimePoint now);
  bool retransmit_media(std::span<uint8_t> media, size_t length, TimePoint now);
  // Through the send path when there is one.
  bool send_rtp(std::span<uint8_t> buffer, size_t length, TimePoint now);
  void choose_layer(TimePoint now);
  bool drop_for_fault_injection();

  Publication& publication_;
  webrtc::PeerTransport& transport_;
  SubscriptionParams params_;
  SubscriptionNegotiation negotiation_;
  bool active_ = false;
  RtpStreamRewriter rewriter_;
  std::unique_ptr<SimulcastRewriter> simulcast_;  // simulcast publications only
  TrackSettings settings_;
  int budget_max_layer_ = LayerSelector::kAnyLayer;
  int desired_layer_ = 0;
  int viewer_layer_ = 0;
  bool paused_ = false;
  bool await_keyframe_ = false;  // resumed without simulcast: the stream restarts at a keyframe
  TimePoint switch_requested_at_{};
  uint16_t rtx_sequence_number_;
  std::optional<uint32_t> last_timestamp_;       // of the last media packet sent
  rtp::RtpExtensionIdMap extension_ids_;         // publisher id -> ours, MID element kept
  rtp::RtpExtensionIdMap extension_ids_no_mid_;  // the same without the MID element
  SenderReportGenerator sender_report_;
  uint64_t drop_state_;
  uint32_t drop_threshold_ = 0;  // of 2^32
  TokenBucket retransmit_budget_{kRetransmitsPerSecond, kRetransmitBurst};
  // When each recently resent number went out (indexed by its low bits).
  static constexpr size_t kResentSlots = 256;
  std::array<uint16_t, kResentSlots> resent_number_{};
  std::array<TimePoint, kResentSlots> resent_at_{};
  KeyframeRequestThrottle keyframe_requests_{kKeyframeRequestInterval};
  std::optional<uint8_t> last_fir_sequence_number_;
  Stats stats_;
  ReceiverReport receiver_report_;
};

}  // namespace ct::sfu
