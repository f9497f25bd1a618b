#pragma once
// A participant's subscriber connection: the PeerConnection on which the
// server offers and sends. Holds one section per track the participant
// receives (its Subscription, null once stopped) after the data channel
// section, serializes renegotiation (one offer outstanding, JSEP §5.2),
// applies the browser's answers, restarts ICE after a resume, sends SRs, and
// routes the browser's RTCP (receiver reports, NACK, PLI, FIR) to the
// subscriptions, and transport-cc feedback to its send path's bandwidth
// estimator.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"
#include "sdp/Types.hpp"
#include "sfu/BandwidthAllocator.hpp"
#include "sfu/ConnectionQualityWindow.hpp"
#include "sfu/ParticipantContext.hpp"
#include "sfu/RoomEvents.hpp"
#include "sfu/SubscriberSendPath.hpp"
#include "sfu/Subscription.hpp"

namespace ct::rtp {
struct RtcpReportBlock;
}

namespace ct::sfu {

struct MediaCounters;

class SubscriberConnection final : private SubscriberSendPath::PaddingSource {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // A report block from the browser about one of our streams: its loss
    // fraction (0..1), and the round trip when it echoes one of our SRs.
    virtual void on_receiver_report(double loss_fraction, std::optional<Duration> rtt, TimePoint now) = 0;
    // The bandwidth allocator paused a track for this subscriber (nothing
    // of it is sent), or resumed it.
    virtual void on_track_paused(const std::string& track_sid, bool paused) = 0;
  };
  // How often the budget is shared out again while one is set.
  static constexpr Duration kAllocationInterval = milliseconds(500);
  // Probing goes this far above what the viewers' wanted layers cost.
  static constexpr double kProbeMargin = 1.3;

  struct Stats {
    uint64_t round_trips = 0;    // RTTs measured from report blocks echoing our SRs
    uint64_t round_trip_us = 0;  // their sum, in microseconds
  };

  // A track as the subscriber connection carries it.
  struct Section {
    std::string mid;
    sdp::MediaKind kind = sdp::MediaKind::audio;
    TrackInfo track;                             // mid = ours
    std::unique_ptr<Subscription> subscription;  // null once stopped
    bool offered = false;                        // went out in an offer under this mid (live or stopped)
    bool stop_offered = false;                   // went out stopped (port 0)
    // The browser applied an answer to an offer that stopped it: both
    // descriptions hold it with port 0, so a new track of the same kind may
    // take its place under a new mid (JSEP, RFC 8829 §5.2.2).
    bool recyclable = false;
  };

  // `key` seeds the fault injection of this participant's subscriptions.
  SubscriberConnection(const ParticipantContext& context, webrtc::PeerTransport::Listener& transport_listener,
                       Listener& listener, uint64_t key, TimePoint now);
  ~SubscriberConnection();
  SubscriberConnection(const SubscriberConnection&) = delete;
  SubscriberConnection& operator=(const SubscriberConnection&) = delete;

  webrtc::PeerTransport& transport() { return *transport_; }
  const webrtc::PeerTransport& transport() const { return *transport_; }

  // Adds a section for `publication` (sent in the next offer): a stopped
  // one of the same kind is reused where JSEP allows, so a long call with
  // many tracks coming and going keeps its offers bounded.
  void subscribe(Publication& publication);
  // Stops the section of `publication`; false if there was none.
  bool unsubscribe(Publication& publication);
  // Drops every subscription (before the publications they point at go).
  void clear_subscriptions();
  const std::vector<Section>& sections() const { return sections_; }
  Subscription* find_subscription(uint32_t ssrc);
  // The live subscription to the track `track_sid`, if any.
  Subscription* find_subscription_of(std::string_view track_sid);

  // Renegotiation is serialized (JSEP §5.2): while an offer is outstanding,
  // changes only mark the state dirty and the next offer follows the answer.
  bool offer_pending() const { return offer_pending_; }
  bool renegotiation_needed() const { return dirty_; }
  void mark_dirty() { dirty_ = true; }
  // A new offer of every section.
  event::SubscriberOffer make_offer(TimePoint now);
  const std::optional<event::SubscriberOffer>& pending_offer() const { return pending_offer_; }
  // Applies the answer to the pending offer; an error code ("bad_sdp",
  // "no_offer_pending") and message on failure.
  std::optional<event::Error> apply_answer(const std::string& sdp, TimePoint now);
  // ICE restart after a resume; the next offer carries the new credentials.
  // False when the connection was never answered.
  bool restart_ice();

  // --- A client that offers to receive (WHEP), answered by SubscriberOfferAnswerer ---
  // Takes the ICE and DTLS parameters of the client's offer; new ICE
  // credentials on a connection already set restart ICE (RFC 8839
  // §4.4.1.1.1). Errors ("bad_sdp"): a changed DTLS fingerprint, or an offer
  // that would make the server the DTLS client.
  std::optional<event::Error> accept_offer_transport(const sdp::Negotiation& offer, TimePoint now);
  // Sends `publication` in the client's m-section `mid` with the client's
  // payload types (`codec`) and extension ids, at once (no offer of ours
  // follows); a keyframe is asked for when the connection is already up.
  const Subscription& add_offered_section(Publication& publication, const std::string& mid,
                                          const sdp::NegotiatedCodec& codec,
                                          SubscriptionNegotiation negotiation, TimePoint now);
  // Our side of the transport, for the answer.
  sdp::TransportParams local_transport() const;
  const std::string& cname() const { return cname_; }

  void on_rtcp(std::span<const uint8_t> compound, TimePoint now);
  // DTLS is up: packets forwarded before it were lost, so every answered
  // subscription starts from a keyframe.
  void on_connected(TimePoint now);
  // The transport's timers, and the connect deadline that runs from the first offer.
  void tick_transport(TimePoint now);
  // SRs for every answered stream, once a second while connected.
  void on_tick(TimePoint now);

  // The most this subscriber wants to receive, in bits per second (its own
  // cap): while set, on_tick shares it among the tracks every
  // kAllocationInterval (BandwidthAllocator); nullopt lifts every limit at
  // once. The send-side estimate is not a budget yet: on a 3g-like link it
  // falls far below what the link carries (docs/congestion-control.md).
  void set_bandwidth_budget(std::optional<uint64_t> budget_bps, TimePoint now);
  const std::optional<uint64_t>& bandwidth_budget() const { return budget_bps_; }
  // Shares `budget_bps` among the live subscriptions now and applies the
  // result: a layer cap, a temporal layer cap, or a pause (told to the listener).
  void allocate_bandwidth(uint64_t budget_bps, TimePoint now);
  // Who speaks now (identities, loudest first): their video comes before
  // other cameras when the budget is short.
  void set_active_speakers(std::vector<std::string> identities) { active_speakers_ = std::move(identities); }
  const BandwidthAllocator::Stats& allocation_stats() const { return allocator_.stats(); }

  ConnectionQualityWindow::Downstream quality_sample() const;
  const Stats& stats() const { return stats_; }
  // What the connection can carry (bits per second) from the browser's
  // transport-cc feedback; nullopt before the first feedback, or without
  // subscriber bandwidth estimation.
  std::optional<uint64_t> estimated_bitrate() const { return send_path_->estimated_bitrate(); }
  const SubscriberSendPath& send_path() const { return *send_path_; }
  // The estimate to tell the participant now: when it moved more than
  // kReportChange from the one last told, at most once per kReportEvery.
  static constexpr double kReportChange = 0.10;
  static constexpr Duration kReportEvery = seconds(1);
  std::optional<uint64_t> bandwidth_to_report(TimePoint now);
  // Adds what the transport and the live subscriptions counted so far.
  void add_counters(MediaCounters& counters) const;

 private:
  void on_report_block(const rtp::RtcpReportBlock& block, TimePoint now);
  // Probes ride on the RTX stream of a live video subscription.
  size_t send_padding(size_t padding, int32_t cluster, TimePoint now) override;
  void add_own_counters(MediaCounters& counters) const;
  void send_sender_reports(TimePoint now);

  const ParticipantContext& context_;
  Listener& listener_;
  uint64_t key_;
  std::string cname_;
  std::unique_ptr<webrtc::PeerTransport> transport_;
  std::unique_ptr<SubscriberSendPath> send_path_;  // outlives the subscriptions that send through it
  bool remote_set_ = false;
  std::string remote_ufrag_, remote_pwd_;
  std::string remote_fingerprint_;  // of an offer the client made (WHEP): kept across ICE restarts
  std::optional<TimePoint> connect_deadline_;
  std::string data_mid_;  // the m=application section, first in every offer
  std::vector<Section> sections_;
  uint32_t next_mid_ = 0;
  bool offer_pending_ = false;
  bool dirty_ = false;
  std::optional<event::SubscriberOffer> pending_offer_;
  std::optional<sdp::Origin> last_origin_;
  TimePoint next_sender_report_{};
  TimePoint last_rtcp_{};
  std::optional<uint64_t> reported_estimate_;
  TimePoint reported_at_{};
  Stats stats_;
  // What the last allocation's wanted layers cost, with kProbeMargin.
  uint64_t wanted_bitrate() const;
  std::optional<uint64_t> budget_bps_;
  TimePoint next_allocation_{};
  std::vector<std::string> active_speakers_;
  BandwidthAllocator allocator_;
  std::vector<BandwidthAllocator::Demand> demands_;  // reused by allocate_bandwidth
  std::vector<BandwidthAllocator::Allocation> allocations_;
  std::vector<Subscription*> allocated_;  // the subscription behind each demand
};

}  // namespace ct::sfu
