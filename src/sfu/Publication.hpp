#pragma once
// One published track: the publisher's inbound streams (one, or one per
// simulcast layer, each a PublicationLayer with its SSRCs, recent packets
// for NACKs and reception statistics), its payload types and header
// extension ids in the publisher connection, and the subscriptions it fans
// out to. Owned by the publishing Participant.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::rtp {
class RtpPacket;
struct RtcpReportBlock;
}  // namespace ct::rtp
namespace ct::webrtc {
class PeerTransport;
}

namespace ct::sfu {

struct MediaCounters;
class PacketTap;
class PublicationLayer;
class PublicationRelay;
class PublisherFeedback;
class Subscription;

// What the publisher connection's negotiation says about one sending m-section.
struct PublicationParams {
  bool video = false;
  // The one codec the answer accepted (so the browser sends only it).
  std::string codec_name;  // as in the offer's rtpmap: "opus", "VP8", "H264"
  uint32_t clock_rate = 0;
  uint16_t channels = 0;
  std::string fmtp;
  uint8_t payload_type = 0;
  std::optional<uint8_t> rtx_payload_type;
  bool nack = false;  // the publisher answers NACKs (rtcp-fb nack)
  // From a=ssrc / a=ssrc-group:FID, or 0 until learned from the MID extension.
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  // Header extension ids in the publisher connection, 0 when not negotiated.
  uint8_t mid_id = 0;
  uint8_t audio_level_id = 0;
  uint8_t abs_send_time_id = 0;
  uint8_t rid_id = 0;           // RFC 8852 §3.1 rtp-stream-id
  uint8_t repaired_rid_id = 0;  // RFC 8852 §3.2 repaired-rtp-stream-id (on RTX)
  uint8_t transport_cc_id = 0;  // draft-holmer-rmcat-transport-wide-cc-extensions-01
  // Simulcast (RFC 8853): the RIDs the publisher sends, lowest layer first
  // (the order of its a=simulcast send list); empty without simulcast.
  std::vector<std::string> rids;
  // Where this publication's stats are added when it ends (the worker's totals), if anywhere.
  MediaCounters* totals = nullptr;
};

class Publication {
 public:
  struct Stats {
    uint64_t packets_in = 0;
    uint64_t keyframe_requests_sent = 0;
    uint64_t keyframe_requests_throttled = 0;  // held back, then served by one later request
    uint64_t nacks_sent = 0;
  };
  // Dynacast: a layer nobody wanted for this long is paused at the publisher.
  static constexpr Duration kLayerUnwantedDelay = seconds(3);
  static constexpr size_t kMaxLayers = 3;

  // `rtcp_sender_ssrc` is the SSRC the server's feedback to this publisher carries.
  Publication(TrackInfo info, PublicationParams params, webrtc::PeerTransport& publisher_transport,
              uint32_t rtcp_sender_ssrc, Duration keyframe_request_interval);
  // A track whose publisher is elsewhere (another node): keyframe requests
  // and NACKs go to `feedback`.
  Publication(TrackInfo info, PublicationParams params, PublisherFeedback& feedback,
              uint32_t rtcp_sender_ssrc, Duration keyframe_request_interval);
  ~Publication();
  Publication(const Publication&) = delete;
  Publication& operator=(const Publication&) = delete;

  const TrackInfo& info() const { return info_; }
  const PublicationParams& params() const { return params_; }
  const std::string& sid() const { return info_.sid; }
  bool video() const { return params_.video; }
  bool simulcast() const { return !params_.rids.empty(); }
  size_t layer_count() const { return layers_.size(); }
  PublicationLayer& layer(size_t index) { return *layers_[index]; }
  const PublicationLayer& layer(size_t index) const { return *layers_[index]; }
  // The layer of a RID, or -1.
  int layer_of_rid(std::string_view rid) const;
  // The layer (and whether as RTX) that an SSRC belongs to, or -1.
  int layer_of_ssrc(uint32_t ssrc, bool& is_rtx) const;
  // When the first packet of any layer arrived.
  std::optional<TimePoint> first_packet() const { return first_packet_; }
  bool muted() const { return info_.muted; }
  // Muting holds packets back; unmuting makes every subscription continue its
  // numbering and asks for a keyframe.
  void set_muted(bool muted, TimePoint now);
  void set_ssrcs(uint32_t ssrc, uint32_t rtx_ssrc);  // of layer 0
  void set_layer_ssrcs(size_t layer, uint32_t ssrc, uint32_t rtx_ssrc);
  // Lets `tap` see every packet this publication forwards from now on,
  // alongside the taps it already has (a payload dump and a recording).
  void add_tap(std::unique_ptr<PacketTap> tap);
  // Destroys the tap `tap` (added before); others stay.
  void remove_tap(const PacketTap* tap);
  // Lets `relay` see every layer's packets from now on, until
  // remove_relay or this publication ends (PublicationRelay::on_relay_closed).
  void add_relay(PublicationRelay& relay);
  void remove_relay(PublicationRelay& relay);
  size_t relay_count() const { return relays_.size(); }

  // A media packet (RTX already unwrapped) of this publication: counted,
  // kept for retransmission, and forwarded to every active subscription.
  void on_rtp(const rtp::RtpPacket& packet, TimePoint now) { on_rtp(packet, 0, now); }
  void on_rtp(const rtp::RtpPacket& packet, size_t layer, TimePoint now) { on_rtp(packet, layer, now, now); }
  // `arrival` (<= now): when the packet reached the host, for the jitter our
  // receiver reports give (RFC 3550 §6.4.1).
  void on_rtp(const rtp::RtpPacket& packet, size_t layer, TimePoint now, TimePoint arrival);
  // The publisher's sender report (RFC 3550 §6.4.1), for LSR/DLSR in our
  // RRs, and for the taps (a recording places its tracks on one clock).
  void on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, TimePoint now) {
    on_sender_report(0, ntp_timestamp, rtp_timestamp, now);
  }
  void on_sender_report(size_t layer, uint64_t ntp_timestamp, uint32_t rtp_timestamp, TimePoint now);
  // The round trip to the publisher's browser, as measured on another path to it.
  void set_path_rtt(Duration rtt);
  // Asks the publisher for a keyframe (PLI, RFC 4585 §6.3.1), at most once
  // per interval; a request inside the interval is sent when it ends.
  // Asks every layer; the other form asks one.
  void request_keyframe(TimePoint now);
  void request_keyframe(size_t layer, TimePoint now);
  // Deferred keyframe requests, the taps' keyframe requests (for the layer
  // they record), and NACKs for gaps (RFC 4585 §6.2.1).
  void on_tick(TimePoint now);
  // A kept packet for a retransmission, by the publisher's sequence number.
  std::optional<std::span<const uint8_t>> find_packet(uint16_t sequence_number, TimePoint now) const {
    return find_packet(0, sequence_number, now);
  }
  std::optional<std::span<const uint8_t>> find_packet(size_t layer, uint16_t sequence_number,
                                                      TimePoint now) const;
  // The worst loss over the layers.
  double loss_fraction() const;

  // Dynacast: the layers some active subscription wants or is being sent (bit i = layer i),
  // and, when that differs from what the publisher was last told, the mask
  // to tell it now. A newly wanted layer is told at once; one no longer
  // wanted only after kLayerUnwantedDelay, so a tile flicking size does not
  // make the encoder stop and restart.
  uint32_t wanted_layers() const;
  std::optional<uint32_t> take_layers_wanted_change(TimePoint now);
  uint32_t announced_layers() const { return announced_layers_; }

  void add_subscription(Subscription& subscription);
  void remove_subscription(Subscription& subscription);
  const std::vector<Subscription*>& subscriptions() const { return subscriptions_; }
  Stats stats() const;  // this publication's and its layers' counts
  // Adds this publication's stats to `counters` (the metrics endpoint).
  void add_counters(MediaCounters& counters) const;

 private:
  // Into the worker's forward-latency histogram, when a copy went out.
  void count_forward_latency(bool sent, TimePoint received);
  void send_keyframe_request(PublicationLayer& layer);  // a PLI now, whatever the throttle says
  bool send_rtcp(std::span<uint8_t> buffer, size_t length);
  // The layer recording taps see: the top one, the best the publisher sends.
  size_t tap_layer() const { return layers_.size() - 1; }
  Publication(TrackInfo info, PublicationParams params, webrtc::PeerTransport* publisher_transport,
              PublisherFeedback* feedback, uint32_t rtcp_sender_ssrc, Duration keyframe_request_interval);

  TrackInfo info_;
  PublicationParams params_;
  webrtc::PeerTransport* publisher_transport_;  // one of these two is set
  PublisherFeedback* feedback_;
  uint32_t rtcp_sender_ssrc_;
  std::vector<std::unique_ptr<PublicationLayer>> layers_;  // at least one
  std::vector<Subscription*> subscriptions_;
  uint32_t announced_layers_;
  std::optional<TimePoint> first_packet_;
  TimePoint unwanted_since_{};
  bool unwanted_pending_ = false;
  std::vector<uint16_t> lost_;  // reused by on_tick
  Stats stats_;
  std::vector<std::unique_ptr<PacketTap>> taps_;  // few; iterated per packet, changed rarely
  std::vector<PublicationRelay*> relays_;         // one per other node that wants this track
};

}  // namespace ct::sfu
