#include "sfu/Room.hpp"

#include <algorithm>

#include "core/Log.hpp"
#include "core/Random.hpp"
#include "sfu/ActiveSpeakerDetector.hpp"
#include "sfu/DataPacket.hpp"
#include "sfu/DataRelay.hpp"
#include "sfu/E2eeKeyRelay.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/P2pRelay.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/Participant.hpp"
#include "sfu/RoomAdministration.hpp"
#include "sfu/RoomMembers.hpp"
#include "sfu/RoomObserver.hpp"
#include "sfu/RoomRecordingFactory.hpp"
#include "webrtc/MediaPort.hpp"

namespace ct::sfu {
namespace {

event::Error recording_disabled() {
  return event::Error{"recording_disabled", "this server does not record (no --recordings-dir)"};
}

// Speaker updates go out at most this often, and only when they changed.
constexpr Duration kActiveSpeakerInterval = milliseconds(500);
// Connection quality is judged over windows this long.
constexpr Duration kQualityInterval = seconds(2);
}  // namespace

struct Room::Impl final : DataRelay, RoomMembers {
  std::string name;
  RoomOptions options;
  webrtc::MediaPort& port;
  const dtls::DtlsCertificate& certificate;
  ActiveSpeakerDetector speakers{kActiveSpeakerInterval};
  std::vector<std::unique_ptr<Participant>> participants;  // in join order
  uint64_t next_key = 1;
  std::vector<std::string> speaking;  // the active speakers' identities, loudest first
  TimePoint next_quality{};
  std::unique_ptr<RoomRecording> recording;
  // The taps the recording put on live publications, by publication sid.
  std::vector<std::pair<std::string, const PacketTap*>> recording_taps;
  P2pRelay p2p{options.settings};  // direct connections in a `p2p` room

  std::string sid = "RM_" + random_token(12);  // this life of the room, for observers
  std::chrono::system_clock::time_point created = std::chrono::system_clock::now();

  Impl(std::string n, RoomOptions o, webrtc::MediaPort& p, const dtls::DtlsCertificate& c)
      : name(std::move(n)), options(o), port(p), certificate(c) {
    notify(RoomActivity::Kind::room_started);
  }

  ~Impl() {
    // Subscriptions point into other participants' publications: drop them all first.
    for (auto& p : participants) p->clear_subscriptions();
    // Observers hear everyone leave a room that closes with people in it (server shutdown).
    for (auto& p : participants) {
      for (const auto& publication : p->publications())
        notify(RoomActivity::Kind::track_unpublished, &p->info(), &publication->info());
      notify(RoomActivity::Kind::participant_left, &p->info(), nullptr, "room_closed");
    }
    participants.clear();  // their taps go with their publications
    if (recording) recording->finish("");
    notify(RoomActivity::Kind::room_finished);
  }

  // What just happened, as observers are told it; the caller fills in the rest.
  RoomActivity activity(RoomActivity::Kind kind) const {
    RoomActivity a;
    a.kind = kind;
    a.room = name;
    a.room_sid = sid;
    a.room_created = created;
    a.at = std::chrono::system_clock::now();
    return a;
  }

  // Tells the observer, if any, what just happened to a participant or a track.
  void notify(RoomActivity::Kind kind, const ParticipantInfo* participant = nullptr,
              const TrackInfo* track = nullptr, std::string_view reason = {}) {
    if (!options.observer) return;
    RoomActivity a = activity(kind);
    if (participant) a.participant = *participant;
    if (track) a.track = *track;
    a.reason = reason;
    options.observer->on_room_activity(a);
  }

  // RoomMembers: the room service API's way in (RoomAdministration).
  const std::string& room_name() const override { return name; }
  const std::vector<std::unique_ptr<Participant>>& members() const override { return participants; }
  Participant* member(std::string_view identity) override { return find(identity); }
  void announce(const Participant* except, const RoomEvent& e) override { broadcast(except, e); }
  void withdraw(Participant& owner, Publication& publication, std::vector<Participant*>& changed) override {
    unpublish(owner, publication, changed);
  }
  void offer_again(Participant& p, TimePoint now) override { renegotiate(p, now); }
  void remove_member(Participant& p, std::string_view reason, TimePoint now) override {
    remove(p, reason, now);
  }

  // Starts recording `publication` of `publisher` if the room records.
  void tap_for_recording(const std::string& publisher, Publication& publication, TimePoint now) {
    if (!recording) return;
    auto tap = recording->tap_for(publisher, publication.info());
    if (!tap) return;
    recording_taps.emplace_back(publication.sid(), tap.get());
    publication.add_tap(std::move(tap));
    // A WebM starts at a keyframe: ask for one rather than wait for it.
    if (publication.video()) publication.request_keyframe(now);
  }

  // Ends the recording: removes its taps (their files close), then lets it
  // write its manifest; everyone hears.
  void end_recording(const std::string& stopped_by) {
    if (!recording) return;
    for (auto& p : participants) {
      for (auto& publication : p->publications()) {
        for (const auto& [sid, tap] : recording_taps)
          if (sid == publication->sid()) publication->remove_tap(tap);
      }
    }
    recording_taps.clear();
    std::string id = recording->id();
    recording->finish(stopped_by);
    recording.reset();
    spdlog::info("room {}: recording {} stopped{}", name, id, stopped_by.empty() ? "" : " by " + stopped_by);
    broadcast(nullptr, event::Recording{false, std::move(id)});
  }

  Participant* find(std::string_view identity) {
    for (auto& p : participants)
      if (p->identity() == identity) return p.get();
    return nullptr;
  }

  ParticipantContext context() {
    ParticipantContext c{port,
                         certificate,
                         {},
                         options.keyframe_request_interval,
                         options.drop_forwarded_fraction,
                         &speakers,
                         this,
                         options.totals};
    c.transport_options.aes_cm_only = options.aes_cm_only;
    c.drop_received_fraction = options.drop_received_fraction;
    c.transport_options.consent_timeout = options.consent_timeout;
    c.subscriber_bwe = options.subscriber_bwe;
    return c;
  }

  void broadcast(const Participant* except, const RoomEvent& event) {
    for (auto& p : participants)
      if (p.get() != except) p->deliver(event);
  }

  // One offer at a time per subscriber connection (JSEP §5.2): changes made
  // while one is outstanding go out in the next, after the answer.
  // Data: the sender's identity filled in, destinations dropped, one copy
  // of the envelope for every recipient.
  void relay(Participant& from, const DataPacket& packet, bool reliable) override {
    size_t n = DataPacket::size(from.identity(), packet.topic(), packet.payload());
    data_buffer.resize(n);
    if (DataPacket::write(data_buffer, from.identity(), packet.topic(), packet.payload()) != n) return;
    for (auto& q : participants) {
      if (q.get() == &from || !packet.addressed_to(q->identity())) continue;
      q->deliver_data(data_buffer, reliable);
    }
  }
  std::vector<uint8_t> data_buffer;

  // Everyone learns of quality changes; a newcomer gets everyone's once.
  void announce_quality(TimePoint now) {
    event::ConnectionQuality changed, all;
    for (auto& p : participants) {
      auto update = p->update_quality(now, p2p.mesh().is_peer(p->identity()));
      if (p->info().hidden) continue;
      event::Quality entry{p->identity(), std::string(update.label())};
      if (update.changed) changed.updates.push_back(entry);
      all.updates.push_back(std::move(entry));
    }
    for (auto& p : participants) {
      if (p->take_quality_snapshot_due()) {
        if (!all.updates.empty()) p->deliver(all);
      } else if (!changed.updates.empty()) {
        p->deliver(changed);
      }
    }
  }

  // The room as `self` sees it: everyone else who is not hidden.
  event::Joined snapshot_for(const ParticipantInfo& self) const {
    event::Joined joined;
    joined.room = name;
    joined.self = self;
    joined.e2ee_required = options.settings.e2ee_required;
    joined.recording = recording != nullptr;
    if (recording) joined.recording_id = recording->id();
    for (const auto& q : participants) {
      if (!q->info().hidden && q->identity() != self.identity) joined.others.push_back(q->state());
    }
    return joined;
  }

  // The participant who may start or stop this room's recording: in the
  // room, on a server that records, and granted roomRecord (or told why not).
  Participant* recording_requester(const std::string& identity) {
    Participant* p = find(identity);
    if (!p) return nullptr;
    if (!options.recordings) {
      p->deliver(recording_disabled());
      return nullptr;
    }
    if (!p->info().can_record) {
      p->deliver(event::Error{"recording_not_allowed", "this participant's token does not grant roomRecord"});
      return nullptr;
    }
    return p;
  }

  // Sends `p` the room as it is now: the snapshot, then the key announcements
  // of hidden participants, which the snapshot leaves out. A participant that
  // is hidden from the roster is never hidden from the key exchange: whoever
  // is to receive keys must have announced to everyone.
  void send_snapshot(Participant& p) {
    p.deliver(snapshot_for(p.info()));
    for (const auto& q : participants) {
      if (q.get() != &p && q->info().hidden && !q->e2ee_announcement().empty())
        p.deliver(event::E2eeAnnounce{q->identity(), q->e2ee_announcement()});
    }
  }

  void renegotiate(Participant& p, TimePoint now) {
    if (!p.subscriber_transport()) return;  // also after canSubscribe was revoked: the removals go out
    if (p.offer_pending()) {
      p.mark_dirty();
      return;
    }
    if (auto offer = p.make_subscriber_offer(now)) p.deliver(std::move(*offer));
  }

  // Takes `publication` out of every subscriber connection; the others
  // learn it is gone. Returns the participants whose connection changed.
  void unpublish(Participant& owner, Publication& publication, std::vector<Participant*>& changed) {
    for (auto& q : participants) {
      if (q.get() == &owner) continue;
      if (q->unsubscribe(publication) && std::find(changed.begin(), changed.end(), q.get()) == changed.end())
        changed.push_back(q.get());
    }
    broadcast(&owner, event::TrackUnpublished{owner.identity(), publication.sid()});
    notify(RoomActivity::Kind::track_unpublished, &owner.info(), &publication.info());
  }

  void remove(Participant& p, std::string_view reason, TimePoint now) {
    std::vector<Participant*> changed;
    auto publications = p.take_publications();
    for (auto& publication : publications) unpublish(p, *publication, changed);
    speakers.remove(p.key());
    auto it =
        std::find_if(participants.begin(), participants.end(), [&](const auto& q) { return q.get() == &p; });
    std::unique_ptr<Participant> owned = std::move(*it);
    participants.erase(it);
    // A hidden participant that took part in the key exchange leaves visibly:
    // the others must rotate their keys away from it.
    if (!owned->info().hidden || !owned->e2ee_announcement().empty())
      broadcast(nullptr, event::ParticipantLeft{owned->identity(), std::string(reason)});
    notify(RoomActivity::Kind::participant_left, &owned->info(), nullptr, reason);
    publications.clear();  // nobody subscribes to them any more
    owned.reset();         // leaves the port before its transports go
    for (auto* q : changed) renegotiate(*q, now);
    if (participants.empty()) end_recording("");
  }
};

Room::Room(std::string name, RoomOptions options, webrtc::MediaPort& port,
           const dtls::DtlsCertificate& certificate)
    : impl_(std::make_unique<Impl>(std::move(name), options, port, certificate)) {}

Room::~Room() = default;

const std::string& Room::name() const { return impl_->name; }

const RoomSettings& Room::settings() const { return impl_->options.settings; }

void Room::update_options(RoomOptions options) { impl_->options = std::move(options); }

size_t Room::participant_count() const { return impl_->participants.size(); }
RoomMembers& Room::members() { return *impl_; }

void Room::add_metrics(RoomCensus& census, MediaCounters& counters) const {
  for (const auto& p : impl_->participants) {
    if (!p->info().elsewhere) ++census.participants;
    for (const auto& publication : p->publications()) {
      ++(publication->video() ? census.video_publications : census.audio_publications);
    }
    for (const auto& section : p->subscriber_sections()) {
      if (section.subscription) ++census.subscriptions;
    }
    p->add_counters(counters);
  }
}

std::optional<event::Error> Room::join(ParticipantInfo info, std::shared_ptr<ParticipantSink> sink,
                                       TimePoint now) {
  auto& m = *impl_;
  Participant* existing = m.find(info.identity);
  size_t staying = m.participants.size() - (existing ? 1 : 0);
  if (staying >= m.options.max_participants) {
    return event::Error{"room_full",
                        "room " + m.name + " is full (" + std::to_string(staying) + " participants)"};
  }
  if (m.options.settings.e2ee_required && !info.e2ee_supported) {
    return event::Error{"e2ee_unsupported",
                        "room " + m.name + " is end-to-end encrypted and this client cannot encrypt frames"};
  }
  if (existing) {
    // The newer connection wins (a reload, a second tab): the old one is told why.
    existing->deliver(event::Removed{"duplicate_identity"});
    m.remove(*existing, "duplicate_identity", now);
  }

  auto participant = std::make_unique<Participant>(info, std::move(sink), m.context(), m.next_key++, now);
  m.send_snapshot(*participant);
  if (!info.hidden) m.broadcast(nullptr, event::ParticipantJoined{info});
  Participant& p = *participant;
  p.set_active_speakers(m.speaking);
  m.participants.push_back(std::move(participant));
  if (m.options.totals) ++m.options.totals->participants_joined;
  m.notify(RoomActivity::Kind::participant_joined, &p.info());
  m.p2p.update(m, m.recording != nullptr, now);  // before the offer: a direct peer publishes nothing to us

  if (p.can_subscribe()) {
    for (auto& q : m.participants) {
      if (q.get() == &p) continue;
      for (auto& publication : q->publications()) p.subscribe(*publication);
    }
    m.renegotiate(p, now);
  }
  return std::nullopt;
}

void Room::leave(const std::string& identity, std::string_view reason) {
  if (Participant* p = impl_->find(identity)) impl_->remove(*p, reason, Clock::now());
}

void Room::publisher_offer(const std::string& identity, const std::string& sdp,
                           const std::vector<TrackMeta>& tracks, TimePoint now) {
  auto& m = *impl_;
  Participant* p = m.find(identity);
  if (!p) return;
  if (!p->info().can_publish || p->info().hidden) {
    p->deliver(event::Error{"publish_not_allowed", "this participant may not publish"});
    return;
  }
  auto result = p->publisher_offer(sdp, tracks, now);
  if (!result.error_code.empty()) {
    p->deliver(event::Error{result.error_code, result.error_message});
    return;
  }
  event::PublisherAnswer answer;
  answer.sdp = std::move(result.answer_sdp);
  for (auto* publication : result.added) answer.tracks.push_back(publication->info());
  if (m.options.totals) m.options.totals->tracks_published += result.added.size();
  p->deliver(std::move(answer));

  std::vector<Participant*> changed;
  for (auto& publication : result.removed) m.unpublish(*p, *publication, changed);
  result.removed.clear();
  for (auto* publication : result.added) {
    if (m.options.taps) publication->add_tap(m.options.taps->tap_for(m.name, identity, publication->info()));
    m.tap_for_recording(identity, *publication, now);
    m.broadcast(p, event::TrackPublished{publication->info()});
    m.notify(RoomActivity::Kind::track_published, &p->info(), &publication->info());
    for (auto& q : m.participants) {
      if (q.get() == p || !q->can_subscribe()) continue;
      q->subscribe(*publication);
      if (std::find(changed.begin(), changed.end(), q.get()) == changed.end()) changed.push_back(q.get());
    }
  }
  // The room's auto_record setting: the first publication starts it (and taps what is published).
  if (!result.added.empty() && m.options.settings.auto_record && !m.recording && m.options.recordings) {
    if (auto error = start_recording_by("auto", now)) spdlog::warn("room {}: {}", m.name, error->message);
  }
  for (auto* q : changed) m.renegotiate(*q, now);
}

void Room::subscriber_answer(const std::string& identity, const std::string& sdp) {
  auto& m = *impl_;
  Participant* p = m.find(identity);
  if (!p) return;
  auto now = Clock::now();
  if (auto error = p->subscriber_answer(sdp, now)) {
    p->deliver(std::move(*error));
    return;
  }
  if (p->renegotiation_needed()) m.renegotiate(*p, now);
}

Room::OfferAnswer Room::answer_subscriber_offer(const std::string& identity, const std::string& sdp) {
  if (Participant* p = impl_->find(identity)) return p->answer_subscriber_offer(sdp, Clock::now());
  return event::Error{"participant_not_found", "no participant " + identity + " in room " + impl_->name};
}

void Room::set_track_muted(const std::string& identity, const std::string& track_sid, bool muted) {
  auto& m = *impl_;
  Participant* p = m.find(identity);
  if (!p) return;
  Publication* publication = p->find_publication(track_sid);
  if (!publication) {
    p->deliver(event::Error{"track_not_found", "no published track " + track_sid});
    return;
  }
  if (publication->muted() == muted) return;
  publication->set_muted(muted, Clock::now());
  m.broadcast(p, event::TrackMuted{identity, track_sid, muted});
}

void Room::update_track_settings(const std::string& identity, const std::string& track_sid,
                                 const TrackSettings& settings) {
  auto& m = *impl_;
  Participant* p = m.find(identity);
  if (!p) return;
  Subscription* subscription = p->find_subscription_of(track_sid);
  if (!subscription) {
    p->deliver(event::Error{"track_not_found", "no subscribed track " + track_sid});
    return;
  }
  subscription->update_settings(settings, Clock::now());
}

void Room::set_receive_bandwidth(const std::string& identity, std::optional<uint64_t> max_bps) {
  if (Participant* p = impl_->find(identity)) p->set_bandwidth_budget(max_bps, Clock::now());
}

void Room::update_participant(const std::string& identity, const std::optional<std::string>& name,
                              const std::optional<std::string>& metadata) {
  auto& m = *impl_;
  Participant* p = m.find(identity);
  if (!p) return;
  if (!p->update_info(name, metadata) || p->info().hidden) return;
  m.broadcast(nullptr, event::ParticipantUpdated{p->info()});
}

void Room::e2ee_announce(const std::string& identity, std::string announcement) {
  E2eeKeyRelay(*impl_, impl_->options.settings.e2ee_required).announce(identity, std::move(announcement));
}

void Room::e2ee_keys(const std::string& identity, std::vector<E2eeKeyEnvelope> keys) {
  E2eeKeyRelay(*impl_, impl_->options.settings.e2ee_required).relay_keys(identity, std::move(keys));
}

void Room::p2p_signal(const std::string& identity, P2pSignal signal) {
  impl_->p2p.handle(*impl_, identity, std::move(signal), impl_->recording != nullptr, Clock::now());
}

bool Room::is_current_sink(const std::string& identity, const ParticipantSink* sink) const {
  const Participant* p = impl_->find(identity);
  return p && p->sink() == sink;
}

bool Room::replace_sink(const std::string& identity, std::shared_ptr<ParticipantSink> sink) {
  Participant* p = impl_->find(identity);
  if (!p) return false;
  // The connection being replaced, if it is still open, is told and closes:
  // only the newest connection speaks for the participant.
  if (p->sink() != sink.get()) p->deliver(event::Removed{"resumed_elsewhere"});
  p->set_sink(std::move(sink));
  impl_->send_snapshot(*p);
  impl_->p2p.tell(*p);  // what it may have missed while away (docs/protocol.md, "Reconnect")
  // Resume = ICE restart on the subscriber connection; the browser restarts
  // its publisher connection with its next offer.
  if (p->restart_subscriber_ice())
    impl_->renegotiate(*p, Clock::now());
  else if (p->offer_pending() && p->pending_offer())
    p->deliver(*p->pending_offer());
  return true;
}

void Room::start_recording(const std::string& identity, TimePoint now) {
  if (Participant* p = impl_->recording_requester(identity))
    if (auto error = start_recording_by(identity, now)) p->deliver(std::move(*error));
}

void Room::stop_recording(const std::string& identity) {
  if (Participant* p = impl_->recording_requester(identity))
    if (auto error = stop_recording_by(identity)) p->deliver(std::move(*error));
}

std::optional<event::Error> Room::start_recording_by(const std::string& started_by, TimePoint now) {
  auto& m = *impl_;
  if (!m.options.recordings) return recording_disabled();
  if (m.recording) return event::Error{"recording_active", "room " + m.name + " is already being recorded"};
  m.recording = m.options.recordings->start(m.name, started_by, m.options.settings.e2ee_required);
  if (!m.recording)
    return event::Error{"recording_failed", "the recording could not be started (see the server log)"};
  spdlog::info("room {}: recording {} started by {}", m.name, m.recording->id(), started_by);
  for (auto& q : m.participants) {
    for (auto& publication : q->publications()) m.tap_for_recording(q->identity(), *publication, now);
  }
  m.broadcast(nullptr, event::Recording{true, m.recording->id()});
  if (m.options.observer) {
    RoomActivity a = m.activity(RoomActivity::Kind::recording_started);
    a.recording_id = m.recording->id();
    a.started_by = started_by;
    m.options.observer->on_room_activity(a);
  }
  return std::nullopt;
}

std::optional<event::Error> Room::stop_recording_by(const std::string& stopped_by) {
  auto& m = *impl_;
  if (!m.options.recordings) return recording_disabled();
  if (!m.recording) return event::Error{"recording_not_active", "room " + m.name + " is not being recorded"};
  m.end_recording(stopped_by);
  return std::nullopt;
}

bool Room::recording() const { return impl_->recording != nullptr; }
std::string Room::recording_id() const { return impl_->recording ? impl_->recording->id() : std::string(); }

std::chrono::system_clock::time_point Room::created_at() const { return impl_->created; }
std::vector<ParticipantState> Room::participants() const { return RoomAdministration(*impl_).participants(); }
bool Room::remove_participant(const std::string& identity, std::string_view reason) {
  return RoomAdministration(*impl_).remove_participant(identity, reason);
}
std::optional<event::Error> Room::mute_track(const std::string& identity, const std::string& sid,
                                             bool muted) {
  return RoomAdministration(*impl_).mute_track(identity, sid, muted);
}
std::optional<event::Error> Room::update_participant_by_admin(const std::string& identity,
                                                              const ParticipantUpdate& update) {
  return RoomAdministration(*impl_).update_participant(identity, update);
}
size_t Room::send_server_data(std::string_view topic, std::span<const uint8_t> payload,
                              const std::vector<std::string>& destinations, bool reliable) {
  return RoomAdministration(*impl_).send_server_data(topic, payload, destinations, reliable);
}
std::optional<ParticipantStats> Room::participant_stats(const std::string& identity, TimePoint now) {
  auto stats = RoomAdministration(*impl_).participant_stats(identity, now);
  // A direct (P2P) participant's media never reaches us: no verdict to give.
  if (stats && impl_->p2p.mesh().is_peer(identity)) stats->connection_quality = "unknown";
  return stats;
}

void Room::on_tick(TimePoint now) {
  auto& m = *impl_;
  for (auto& p : m.participants) p->on_tick(now);

  // Reaped here, never from inside a transport's own callback, and not at
  // once: a leaving browser closes its connections (DTLS close_notify) right
  // after sending `leave`, which the signaling thread may read a moment later.
  std::vector<std::string> lost;
  for (auto& p : m.participants) {
    if (p->connection_lost() && now - p->connection_lost_at() >= milliseconds(500))
      lost.push_back(p->identity());
  }
  for (const auto& identity : lost) {
    Participant* p = m.find(identity);
    if (!p) continue;
    spdlog::info("room {}: {} lost its connection ({})", m.name, identity, p->connection_lost_reason());
    p->deliver(event::Removed{"connection_lost"});
    m.remove(*p, "connection_lost", now);
  }

  m.p2p.update(m, m.recording != nullptr, now);
  if (now >= m.next_quality) {
    m.next_quality = now + kQualityInterval;
    m.announce_quality(now);
  }

  if (auto speakers = m.speakers.poll(now)) {
    event::ActiveSpeakers update;
    for (const auto& s : *speakers) {
      for (auto& p : m.participants) {
        if (p->key() == s.key && !p->info().hidden)
          update.speakers.push_back(event::Speaker{p->identity(), s.level});
      }
    }
    m.broadcast(nullptr, update);
    // Bandwidth allocation puts the speakers' video first.
    m.speaking.clear();
    for (const auto& s : update.speakers) m.speaking.push_back(s.identity);
    for (auto& p : m.participants) p->set_active_speakers(m.speaking);
  }
}

}  // namespace ct::sfu
