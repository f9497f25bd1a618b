#pragma once
// One participant of a room: its signaling sink, its two PeerConnections
// (the publisher connection, where the browser offers and sends, and the
// subscriber connection, where the server offers and sends), the tracks it
// publishes and the subscriptions it receives. The media plane lives here:
// packets from the publisher connection go to their Publication, feedback
// from the subscriber connection to its Subscription; timers send the
// server's own RTCP. Membership and events are the Room's.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/Clock.hpp"
#include "core/TokenBucket.hpp"
#include "sdp/Types.hpp"
#include "sfu/ConnectionQualityEstimator.hpp"
#include "sfu/Publication.hpp"
#include "sfu/RoomEvents.hpp"
#include "sfu/Subscription.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::dtls {
class DtlsCertificate;
}
namespace ct::webrtc {
class MediaPort;
}
namespace ct::rtp {
struct RtcpReportBlock;
}

namespace ct::sfu {

class ActiveSpeakerDetector;
class DataRelay;
struct MediaCounters;
class TransportCcFeedbackGenerator;
class RembEstimator;

struct ParticipantContext {
  webrtc::MediaPort& port;
  const dtls::DtlsCertificate& certificate;
  webrtc::PeerTransport::Options transport_options;
  Duration keyframe_request_interval = milliseconds(500);
  double drop_forwarded_fraction = 0;
  ActiveSpeakerDetector* speakers = nullptr;
  DataRelay* data_relay = nullptr;
  // The worker's totals, where everything this participant counted goes when it ends.
  MediaCounters* totals = nullptr;
};

class Participant final : public webrtc::PeerTransport::Listener {
 public:
  // A track as the subscriber connection carries it.
  struct SubscriberSection {
    std::string mid;
    sdp::MediaKind kind = sdp::MediaKind::audio;
    TrackInfo track;                             // mid = ours
    std::unique_ptr<Subscription> subscription;  // null once stopped
    bool offered = false;                        // went out in an offer (live or stopped)
  };

  // `key` identifies the participant to the active speaker detector.
  Participant(ParticipantInfo info, std::shared_ptr<ParticipantSink> sink, ParticipantContext context,
              uint64_t key, TimePoint now);
  ~Participant() override;
  Participant(const Participant&) = delete;
  Participant& operator=(const Participant&) = delete;

  const ParticipantInfo& info() const { return info_; }
  const std::string& identity() const { return info_.identity; }
  uint64_t key() const { return key_; }
  void deliver(RoomEvent event);
  void set_sink(std::shared_ptr<ParticipantSink> sink) { sink_ = std::move(sink); }
  const ParticipantSink* sink() const { return sink_.get(); }
  // New display name and/or metadata; false if nothing changed.
  bool update_info(const std::optional<std::string>& name, const std::optional<std::string>& metadata);
  ParticipantState state() const;

  // --- publisher connection ---
  static constexpr size_t kMaxPublications = 16;  // audio and video tracks one participant may publish
  struct PublishResult {
    std::string answer_sdp;
    std::vector<Publication*> added;
    std::vector<std::unique_ptr<Publication>>
        removed;  // still subscribed: the Room unsubscribes, then drops them
    std::string error_code, error_message;
  };
  // Negotiates the publisher connection's offer (creating the transport the
  // first time): new sending m-sections become publications, ones that
  // stopped sending are handed back for removal.
  PublishResult publisher_offer(const std::string& sdp, const std::vector<TrackMeta>& tracks, TimePoint now);
  Publication* find_publication(std::string_view sid);
  const std::vector<std::unique_ptr<Publication>>& publications() const { return publications_; }
  std::vector<std::unique_ptr<Publication>> take_publications();
  webrtc::PeerTransport* publisher_transport() { return publisher_.get(); }

  // --- subscriber connection ---
  bool can_subscribe() const { return subscriber_ != nullptr; }
  webrtc::PeerTransport* subscriber_transport() { return subscriber_.get(); }
  // Adds a section for `publication` (sent in the next offer).
  void subscribe(Publication& publication);
  // Stops the section of `publication`; false if there was none.
  bool unsubscribe(Publication& publication);
  // Drops every subscription (before the publications they point at go).
  void clear_subscriptions();
  const std::vector<SubscriberSection>& subscriber_sections() const { return sections_; }
  // Adds what this participant's transports, publications and live
  // subscriptions have counted so far (the metrics endpoint).
  void add_counters(MediaCounters& counters) const;
  Subscription* find_subscription(uint32_t ssrc);
  // Renegotiation is serialized (JSEP §5.2): while an offer is outstanding,
  // changes only mark the state dirty and the next offer follows the answer.
  bool offer_pending() const { return offer_pending_; }
  bool renegotiation_needed() const { return dirty_; }
  void mark_dirty() { dirty_ = true; }
  // A new offer of every section, or nullopt when there is nothing to offer.
  std::optional<event::SubscriberOffer> make_subscriber_offer(TimePoint now);
  const std::optional<event::SubscriberOffer>& pending_offer() const { return pending_offer_; }
  // Applies the answer to the pending offer; an error code ("bad_sdp",
  // "no_offer_pending") and message on failure.
  std::optional<event::Error> subscriber_answer(const std::string& sdp, TimePoint now);
  // After a resume (the network may have changed): ICE restart on the
  // subscriber connection; the caller sends the next offer, which carries the
  // new credentials. False when the connection was never answered.
  bool restart_subscriber_ice();

  // --- data channels ---
  // Limits on what one participant may send (docs/protocol.md "Data messages").
  static constexpr double kDataMessagesPerSecond = 100, kDataMessageBurst = 200;
  static constexpr double kDataBytesPerSecond = 1024 * 1024;
  struct DataStats {
    uint64_t received = 0;               // messages from this participant's browser
    uint64_t relayed = 0;                // of those, handed to the room
    uint64_t delivered = 0;              // messages sent to this participant
    uint64_t dropped_not_allowed = 0;    // no canPublishData
    uint64_t dropped_rate = 0;           // over the message or byte rate
    uint64_t dropped_malformed = 0;      // not an envelope, too large, text frames
    uint64_t dropped_undeliverable = 0;  // our channel to this participant not open
  };
  // Sends one envelope to this participant on its subscriber connection.
  void deliver_data(std::span<const uint8_t> message, bool reliable);
  const DataStats& data_stats() const { return data_stats_; }

  // Closes one quality window (see ConnectionQualityEstimator): the quality
  // to show, and whether it differs from the one the last call returned.
  struct QualityUpdate {
    ConnectionQuality quality;
    bool changed;
  };
  QualityUpdate update_quality(TimePoint now);
  // True exactly once: this participant has not yet been sent everyone's quality.
  bool take_quality_snapshot_due() { return !std::exchange(quality_snapshot_sent_, true); }

  // Timers: transports, deferred keyframe requests, NACKs, SR/RR, transport-cc or REMB.
  void on_tick(TimePoint now);
  // A transport closed (consent expired, DTLS failed, connect timeout).
  bool connection_lost() const { return connection_lost_; }
  const std::string& connection_lost_reason() const { return connection_lost_reason_; }

 private:
  void on_transport_connected(webrtc::PeerTransport& transport) override;
  void on_rtp(webrtc::PeerTransport& transport, std::span<uint8_t> packet, size_t capacity) override;
  void on_rtcp(webrtc::PeerTransport& transport, std::span<uint8_t> compound, size_t capacity) override;
  void on_transport_closed(webrtc::PeerTransport& transport, std::string_view reason) override;
  void on_data_connected(webrtc::PeerTransport& transport) override;
  void on_data_channel_open(webrtc::PeerTransport& transport, uint16_t stream,
                            const sctp::ChannelInfo& info) override;
  void on_data_message(webrtc::PeerTransport& transport, uint16_t stream, bool binary,
                       std::span<const uint8_t> message) override;
  void on_data_channel_closed(webrtc::PeerTransport& transport, uint16_t stream) override;

  std::unique_ptr<webrtc::PeerTransport> make_transport(TimePoint now, bool subscriber);
  Publication* publication_for(uint32_t ssrc, bool& is_rtx);
  Publication* learn_ssrc(uint32_t ssrc, uint8_t payload_type, std::string_view mid);
  void on_publisher_rtcp(std::span<const uint8_t> compound, TimePoint now);
  void on_subscriber_rtcp(std::span<const uint8_t> compound, TimePoint now);
  void on_subscriber_report_block(const rtp::RtcpReportBlock& block);
  void send_publisher_reports(TimePoint now);
  void send_sender_reports(TimePoint now);

  ParticipantInfo info_;
  std::shared_ptr<ParticipantSink> sink_;
  ParticipantContext context_;
  uint64_t key_;
  std::string cname_;

  // Publisher connection.
  std::unique_ptr<webrtc::PeerTransport> publisher_;
  bool publisher_remote_set_ = false;
  std::string publisher_remote_ufrag_, publisher_remote_pwd_, publisher_remote_fingerprint_;
  std::vector<std::unique_ptr<Publication>> publications_;
  uint32_t feedback_ssrc_;  // sender SSRC of our RTCP to the publisher
  uint8_t mid_extension_id_ = 0;
  uint8_t transport_cc_extension_id_ = 0;
  std::unique_ptr<TransportCcFeedbackGenerator> transport_cc_;
  std::unique_ptr<RembEstimator> remb_;
  TimePoint next_transport_cc_{}, next_receiver_report_{};

  // Subscriber connection.
  std::unique_ptr<webrtc::PeerTransport> subscriber_;
  bool subscriber_remote_set_ = false;
  std::string subscriber_remote_ufrag_, subscriber_remote_pwd_;
  std::optional<TimePoint> subscriber_connect_deadline_;
  std::vector<SubscriberSection> sections_;
  uint32_t next_mid_ = 0;
  bool offer_pending_ = false;
  bool dirty_ = false;
  std::optional<event::SubscriberOffer> pending_offer_;
  std::optional<sdp::Origin> last_origin_;
  TimePoint next_sender_report_{};

  // Data channels. Publisher side: the browser's channels, stream -> lossy.
  std::vector<std::pair<uint16_t, bool>> publisher_channels_;
  // Subscriber side: the two we open (odd ids, we are the DTLS server).
  std::optional<uint16_t> reliable_stream_, lossy_stream_;
  std::string data_mid_;  // the subscriber connection's m=application section
  TokenBucket data_messages_{kDataMessagesPerSecond, kDataMessageBurst};
  TokenBucket data_bytes_{kDataBytesPerSecond, kDataBytesPerSecond};
  bool data_not_allowed_reported_ = false;
  DataStats data_stats_;

  // The current quality window, and what was last announced.
  ConnectionQualityEstimator quality_;
  std::optional<ConnectionQuality> reported_quality_;
  bool quality_snapshot_sent_ = false;
  double window_downstream_loss_ = 0;
  std::optional<Duration> window_rtt_;
  uint64_t last_upstream_packets_ = 0;
  TimePoint last_subscriber_rtcp_{};

  bool connection_lost_ = false;
  std::string connection_lost_reason_;
};

}  // namespace ct::sfu
