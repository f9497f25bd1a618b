#include "sfu/Participant.hpp"

#include "sfu/DataRelay.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/Publication.hpp"

namespace ct::sfu {

Participant::Participant(ParticipantInfo info, std::shared_ptr<ParticipantSink> sink,
                         ParticipantContext context, uint64_t key, TimePoint now)
    : info_(std::move(info)),
      sink_(std::move(sink)),
      context_(std::move(context)),
      key_(key),
      publisher_(context_, *this, *this, info_.identity, key_),
      data_(*this, info_.can_publish_data) {
  if (info_.can_subscribe)
    subscriber_ = std::make_unique<SubscriberConnection>(context_, *this, *this, key_, now);
  if (subscriber_ && !info_.receives_only_from.empty())
    answerer_ = std::make_unique<SubscriberOfferAnswerer>(*subscriber_);
}

Participant::~Participant() {
  // Subscriptions leave other participants' publications before this
  // participant's own publications and transports go.
  answerer_.reset();
  subscriber_.reset();
  if (context_.totals) data_.add_counters(*context_.totals);
}

bool Participant::update_info(const std::optional<std::string>& name,
                              const std::optional<std::string>& metadata) {
  bool changed = false;
  if (name && *name != info_.name) {
    info_.name = *name;
    changed = true;
  }
  if (metadata && *metadata != info_.metadata) {
    info_.metadata = *metadata;
    changed = true;
  }
  return changed;
}

void Participant::set_permissions(bool can_publish, bool can_subscribe, bool can_publish_data,
                                  TimePoint now) {
  info_.can_publish = can_publish && !info_.hidden;
  info_.can_subscribe = can_subscribe;
  info_.can_publish_data = can_publish_data;
  data_.set_may_publish(can_publish_data);
  if (can_subscribe && !subscriber_)
    subscriber_ = std::make_unique<SubscriberConnection>(context_, *this, *this, key_, now);
}

void Participant::deliver(RoomEvent event) {
  if (sink_) sink_->deliver(std::move(event));
}

ParticipantState Participant::state() const {
  ParticipantState s;
  s.info = info_;
  s.e2ee_announcement = e2ee_announcement_;
  for (const auto& p : publisher_.publications()) s.tracks.push_back(p->info());
  return s;
}

void Participant::add_counters(MediaCounters& counters) const {
  publisher_.add_counters(counters);
  if (subscriber_) subscriber_->add_counters(counters);
  data_.add_counters(counters);
}

// --- publisher connection ---

Participant::PublishResult Participant::publisher_offer(const std::string& sdp,
                                                        const std::vector<TrackMeta>& tracks, TimePoint now) {
  return publisher_.negotiate(sdp, tracks, now);
}

// --- subscriber connection ---

void Participant::subscribe(Publication& publication) {
  if (answerer_) {
    // A player receives one participant's tracks, in the sections it offered.
    if (publication.info().publisher == info_.receives_only_from)
      answerer_->offer_track(publication, Clock::now());
    return;
  }
  if (subscriber_) subscriber_->subscribe(publication);
}

bool Participant::unsubscribe(Publication& publication) {
  if (answerer_) answerer_->withdraw_track(publication);
  return subscriber_ && subscriber_->unsubscribe(publication);
}

void Participant::clear_subscriptions() {
  if (answerer_) answerer_->clear();
  if (subscriber_) subscriber_->clear_subscriptions();
}

const std::vector<Participant::SubscriberSection>& Participant::subscriber_sections() const {
  static const std::vector<SubscriberSection> none;
  return subscriber_ ? subscriber_->sections() : none;
}

Subscription* Participant::find_subscription(uint32_t ssrc) {
  return subscriber_ ? subscriber_->find_subscription(ssrc) : nullptr;
}

void Participant::mark_dirty() {
  if (subscriber_) subscriber_->mark_dirty();
}

std::optional<event::SubscriberOffer> Participant::make_subscriber_offer(TimePoint now) {
  if (!subscriber_ || answerer_) return std::nullopt;  // a client that offers is only answered
  return subscriber_->make_offer(now);
}

const std::optional<event::SubscriberOffer>& Participant::pending_offer() const {
  static const std::optional<event::SubscriberOffer> none;
  return subscriber_ ? subscriber_->pending_offer() : none;
}

std::optional<event::Error> Participant::subscriber_answer(const std::string& sdp, TimePoint now) {
  if (!subscriber_) return event::Error{"no_offer_pending", "there is no subscriber offer to answer"};
  return subscriber_->apply_answer(sdp, now);
}

std::variant<event::SubscriberAnswer, event::Error> Participant::answer_subscriber_offer(
    const std::string& sdp, TimePoint now) {
  if (!answerer_)
    return event::Error{"bad_sdp", "this participant's subscriber connection is offered by the server"};
  return answerer_->answer(sdp, now);
}

void Participant::on_track_paused(const std::string& track_sid, bool paused) {
  deliver(event::TrackPaused{track_sid, paused, "bandwidth"});
}

void Participant::on_receiver_report(double loss_fraction, std::optional<Duration> rtt, TimePoint now) {
  quality_.on_loss(loss_fraction);
  if (!rtt) return;
  quality_.on_round_trip(*rtt);
  last_rtt_ = *rtt;
  if (context_.totals) context_.totals->subscriber_rtt.observe(std::chrono::duration<double>(*rtt).count());
  // The publisher connection runs between the same browser and us: until it
  // measures its own round trip (RTCP XR), this one paces its NACKs.
  publisher_.set_path_rtt(*rtt, now);
}

void Participant::on_publisher_round_trip(Duration rtt) {
  // A participant who only publishes has no receiver reports: this is its round trip.
  quality_.on_round_trip(rtt);
  last_rtt_ = rtt;
  if (context_.totals) context_.totals->publisher_rtt.observe(std::chrono::duration<double>(rtt).count());
}

// --- transports ---

void Participant::on_transport_connected(webrtc::PeerTransport& transport) {
  if (is_subscriber(transport)) subscriber_->on_connected(Clock::now());
}

void Participant::on_rtp(webrtc::PeerTransport& transport, std::span<uint8_t> packet, size_t,
                         TimePoint arrival) {
  // The subscriber connection only receives from us.
  if (is_publisher(transport)) publisher_.on_rtp(packet, Clock::now(), arrival);
}

void Participant::on_rtcp(webrtc::PeerTransport& transport, std::span<uint8_t> compound, size_t) {
  auto now = Clock::now();
  if (is_publisher(transport)) {
    publisher_.on_rtcp(compound, now);
  } else if (is_subscriber(transport)) {
    subscriber_->on_rtcp(compound, now);
  }
}

void Participant::on_transport_closed(webrtc::PeerTransport&, std::string_view reason) {
  // Never destroyed from inside its own callback: the Room reaps us on tick.
  if (connection_lost_) return;
  connection_lost_ = true;
  connection_lost_reason_ = std::string(reason);
  connection_lost_at_ = Clock::now();
}

// --- data channels ---

void Participant::on_data_connected(webrtc::PeerTransport& transport) {
  if (is_subscriber(transport)) data_.open_own_channels(transport);
}

void Participant::on_data_channel_open(webrtc::PeerTransport& transport, uint16_t stream,
                                       const sctp::ChannelInfo& info) {
  if (is_publisher(transport)) data_.on_channel_open(stream, info);
}

void Participant::on_data_channel_closed(webrtc::PeerTransport& transport, uint16_t stream) {
  if (is_publisher(transport)) {
    data_.on_channel_closed(stream);
  } else if (is_subscriber(transport)) {
    data_.on_own_channel_closed(stream);
  }
}

void Participant::on_data_message(webrtc::PeerTransport& transport, uint16_t stream, bool binary,
                                  std::span<const uint8_t> message) {
  // Browsers send on their publisher connection.
  if (is_publisher(transport)) data_.on_message(stream, binary, message, Clock::now());
}

void Participant::on_data_packet(const DataPacket& packet, bool reliable) {
  if (context_.data_relay) context_.data_relay->relay(*this, packet, reliable);
}

void Participant::on_data_not_allowed() {
  deliver(event::Error{"data_not_allowed", "the access token does not grant canPublishData"});
}

void Participant::deliver_data(std::span<const uint8_t> message, bool reliable) {
  data_.deliver(subscriber_transport(), message, reliable);
}

// --- connection quality and timers ---

Participant::QualityUpdate Participant::update_quality(TimePoint now, bool direct) {
  if (direct) return quality_.close_unjudged(publisher_.quality_sample());
  std::optional<ConnectionQualityWindow::Downstream> downstream;
  if (subscriber_) downstream = subscriber_->quality_sample();
  return quality_.close(now, publisher_.quality_sample(), downstream);
}

void Participant::on_tick(TimePoint now) {
  publisher_.tick_transport(now);
  if (subscriber_) subscriber_->tick_transport(now);
  if (connection_lost_) return;
  publisher_.on_tick(now);
  if (subscriber_) subscriber_->on_tick(now);
  if (auto estimate = subscriber_ ? subscriber_->bandwidth_to_report(now) : std::nullopt)
    deliver(event::BandwidthEstimate{*estimate});
  announce_layers_wanted(now);
}

void Participant::announce_layers_wanted(TimePoint now) {
  // Dynacast: the publisher pauses the simulcast layers nobody receives.
  for (const auto& publication : publications()) {
    auto mask = publication->take_layers_wanted_change(now);
    if (!mask) continue;
    event::LayersWanted wanted{publication->sid(), {}};
    const auto& rids = publication->params().rids;
    for (size_t i = 0; i < rids.size(); ++i)
      wanted.layers.push_back(event::LayerWanted{rids[i], (*mask & (1u << i)) != 0});
    deliver(std::move(wanted));
  }
}

}  // namespace ct::sfu
