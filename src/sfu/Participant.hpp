#pragma once
// One participant of a room: its signaling sink and the parts that carry its
// media and data. The publisher connection (the browser offers and sends)
// holds its publications; the subscriber connection (the server offers and
// sends) its subscriptions; its data channels relay messages both ways; its
// quality window judges both connections. The participant routes each
// transport's callbacks to the part that owns the transport, and joins what
// one part reports to the others. Membership and events are the Room's.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/ConnectionQualityWindow.hpp"
#include "sfu/DataChannels.hpp"
#include "sfu/ParticipantContext.hpp"
#include "sfu/PublisherConnection.hpp"
#include "sfu/RoomEvents.hpp"
#include "sfu/SubscriberConnection.hpp"
#include "sfu/SubscriberOfferAnswerer.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {

struct MediaCounters;

class Participant final : public webrtc::PeerTransport::Listener,
                          public PublisherConnection::Listener,
                          public SubscriberConnection::Listener,
                          public DataChannels::Listener {
 public:
  using SubscriberSection = SubscriberConnection::Section;
  using PublishResult = PublisherConnection::OfferResult;
  using DataStats = DataChannels::Stats;
  using QualityUpdate = ConnectionQualityWindow::Update;
  static constexpr size_t kMaxPublications = PublisherConnection::kMaxPublications;
  static constexpr double kDataMessagesPerSecond = DataChannels::kMessagesPerSecond;
  static constexpr double kDataMessageBurst = DataChannels::kMessageBurst;
  static constexpr double kDataBytesPerSecond = DataChannels::kBytesPerSecond;

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
  // The participant's latest end-to-end encryption key announcement (opaque).
  const std::string& e2ee_announcement() const { return e2ee_announcement_; }
  void set_e2ee_announcement(std::string announcement) { e2ee_announcement_ = std::move(announcement); }

  // --- publisher connection ---
  // Negotiates the publisher connection's offer (see PublisherConnection::negotiate).
  PublishResult publisher_offer(const std::string& sdp, const std::vector<TrackMeta>& tracks, TimePoint now);
  Publication* find_publication(std::string_view sid) { return publisher_.find_publication(sid); }
  const std::vector<std::unique_ptr<Publication>>& publications() const { return publisher_.publications(); }
  std::vector<std::unique_ptr<Publication>> take_publications() { return publisher_.take_publications(); }
  // A track another node of the room forwards for this participant (CascadeRoomPart).
  Publication& adopt_publication(std::unique_ptr<Publication> p) { return publisher_.adopt(std::move(p)); }
  std::unique_ptr<Publication> release_publication(std::string_view sid) { return publisher_.release(sid); }
  webrtc::PeerTransport* publisher_transport() { return publisher_.transport(); }

  // --- subscriber connection ---
  bool can_subscribe() const { return subscriber_ != nullptr && info_.can_subscribe; }
  // The room service API changed what this participant may do (the Room
  // does the unpublishing and subscribing that follows). Granting
  // canSubscribe to one that joined without it opens its subscriber connection.
  void set_permissions(bool can_publish, bool can_subscribe, bool can_publish_data, TimePoint now);
  webrtc::PeerTransport* subscriber_transport() { return subscriber_ ? &subscriber_->transport() : nullptr; }
  // Adds a section for `publication` (sent in the next offer).
  void subscribe(Publication& publication);
  // Stops the section of `publication`; false if there was none.
  bool unsubscribe(Publication& publication);
  // Drops every subscription (before the publications they point at go).
  void clear_subscriptions();
  const std::vector<SubscriberSection>& subscriber_sections() const;
  Subscription* find_subscription(uint32_t ssrc);
  // The live subscription to the track `track_sid`, if any.
  Subscription* find_subscription_of(std::string_view track_sid) {
    return subscriber_ ? subscriber_->find_subscription_of(track_sid) : nullptr;
  }
  // Renegotiation is serialized (JSEP §5.2): while an offer is outstanding,
  // changes only mark the state dirty and the next offer follows the answer.
  bool offer_pending() const { return subscriber_ && subscriber_->offer_pending(); }
  bool renegotiation_needed() const { return subscriber_ && subscriber_->renegotiation_needed(); }
  void mark_dirty();
  // A new offer of every section, or nullopt when there is nothing to offer.
  std::optional<event::SubscriberOffer> make_subscriber_offer(TimePoint now);
  const std::optional<event::SubscriberOffer>& pending_offer() const;
  // Applies the answer to the pending offer; an error code ("bad_sdp",
  // "no_offer_pending") and message on failure.
  std::optional<event::Error> subscriber_answer(const std::string& sdp, TimePoint now);
  // After a resume (the network may have changed): ICE restart on the
  // subscriber connection; the caller sends the next offer, which carries the
  // new credentials. False when the connection was never answered.
  bool restart_subscriber_ice() { return subscriber_ && subscriber_->restart_ice(); }
  // A client that offers to receive (ParticipantInfo::receives_only_from):
  // the answer to its offer. Error "bad_sdp" for anyone else; see
  // SubscriberOfferAnswerer::answer for the others.
  std::variant<event::SubscriberAnswer, event::Error> answer_subscriber_offer(const std::string& sdp,
                                                                              TimePoint now);

  // The most this participant receives (bits per second), nullopt for no
  // limit: its subscriber connection shares it among the tracks.
  void set_bandwidth_budget(std::optional<uint64_t> budget_bps, TimePoint now) {
    if (subscriber_) subscriber_->set_bandwidth_budget(budget_bps, now);
  }
  // Who speaks now, loudest first (their video comes first when the budget is short).
  void set_active_speakers(std::vector<std::string> identities) {
    if (subscriber_) subscriber_->set_active_speakers(std::move(identities));
  }

  // Adds what this participant's transports, publications, live
  // subscriptions and data channels have counted so far (the metrics endpoint).
  void add_counters(MediaCounters& counters) const;

  // --- data channels ---
  // Sends one envelope to this participant on its subscriber connection.
  void deliver_data(std::span<const uint8_t> message, bool reliable);
  const DataStats& data_stats() const { return data_.stats(); }

  // Closes one quality window (see ConnectionQualityEstimator): the quality
  // to show, and whether it differs from the one the last call returned.
  // `direct`: its media goes to its peers directly (P2P), so it is not judged.
  QualityUpdate update_quality(TimePoint now, bool direct = false);
  // True exactly once: this participant has not yet been sent everyone's quality.
  bool take_quality_snapshot_due() { return quality_.take_snapshot_due(); }

  // --- the stats endpoint (ParticipantStatsCollector) ---
  const PublisherConnection& publisher() const { return publisher_; }
  const SubscriberConnection* subscriber() const { return subscriber_.get(); }
  // The quality last judged, and the round trip last measured on either connection.
  ConnectionQuality quality() const { return quality_.current(); }
  std::optional<Duration> last_round_trip() const { return last_rtt_; }

  // Timers: transports, deferred keyframe requests, NACKs, SR/RR, transport-cc or REMB.
  void on_tick(TimePoint now);
  // A transport closed (consent expired, DTLS failed, connect timeout).
  bool connection_lost() const { return connection_lost_; }
  const std::string& connection_lost_reason() const { return connection_lost_reason_; }
  TimePoint connection_lost_at() const { return connection_lost_at_; }

 private:
  // Dynacast: tells the browser which of its simulcast layers someone receives, when that changed.
  void announce_layers_wanted(TimePoint now);
  // webrtc::PeerTransport::Listener: each call goes to the part that owns the transport.
  void on_transport_connected(webrtc::PeerTransport& transport) override;
  void on_rtp(webrtc::PeerTransport& transport, std::span<uint8_t> packet, size_t capacity,
              TimePoint arrival) override;
  void on_rtcp(webrtc::PeerTransport& transport, std::span<uint8_t> compound, size_t capacity) override;
  void on_transport_closed(webrtc::PeerTransport& transport, std::string_view reason) override;
  void on_data_connected(webrtc::PeerTransport& transport) override;
  void on_data_channel_open(webrtc::PeerTransport& transport, uint16_t stream,
                            const sctp::ChannelInfo& info) override;
  void on_data_message(webrtc::PeerTransport& transport, uint16_t stream, bool binary,
                       std::span<const uint8_t> message) override;
  void on_data_channel_closed(webrtc::PeerTransport& transport, uint16_t stream) override;
  // PublisherConnection::Listener
  void on_publisher_round_trip(Duration rtt) override;
  // SubscriberConnection::Listener
  void on_receiver_report(double loss_fraction, std::optional<Duration> rtt, TimePoint now) override;
  void on_track_paused(const std::string& track_sid, bool paused) override;
  // DataChannels::Listener
  void on_data_packet(const DataPacket& packet, bool reliable) override;
  void on_data_not_allowed() override;

  bool is_publisher(const webrtc::PeerTransport& transport) const {
    return &transport == publisher_.transport();
  }
  bool is_subscriber(const webrtc::PeerTransport& transport) const {
    return subscriber_ && &transport == &subscriber_->transport();
  }

  ParticipantInfo info_;
  std::string e2ee_announcement_;
  std::shared_ptr<ParticipantSink> sink_;
  ParticipantContext context_;  // the parts below keep a reference to it
  uint64_t key_;
  PublisherConnection publisher_;
  std::unique_ptr<SubscriberConnection> subscriber_;   // null without canSubscribe
  std::unique_ptr<SubscriberOfferAnswerer> answerer_;  // a client that offers to receive (WHEP) only
  DataChannels data_;
  ConnectionQualityWindow quality_;
  bool connection_lost_ = false;
  std::string connection_lost_reason_;
  TimePoint connection_lost_at_{};
  std::optional<Duration> last_rtt_;
};

}  // namespace ct::sfu
