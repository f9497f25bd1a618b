#pragma once
// A room: its participants, their publications and subscriptions, and the
// forwarding between them (the SFU proper). Lives on one media worker and is
// touched only by its thread; the signal layer reaches it through
// MediaWorker::post.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/ParticipantStats.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::dtls {
class DtlsCertificate;
}
namespace ct::webrtc {
class MediaPort;
}

namespace ct::sfu {

struct MediaCounters;
class PacketTapFactory;
class RoomRecordingFactory;
class RoomObserver;
class RoomMembers;

struct RoomOptions {
  size_t max_participants = 100;
  bool aes_cm_only = false;  // SRTP profile choice for every transport
  Duration consent_timeout = seconds(30);
  Duration keyframe_request_interval = milliseconds(500);  // PLI/FIR throttle per publication
  double drop_forwarded_fraction = 0;  // TEST ONLY: fault injection on forwarded packets (NACK/RTX tests)
  double drop_received_fraction = 0;   // TEST ONLY: fault injection on publishers' packets (recording tests)
  MediaCounters* totals = nullptr;     // the worker's totals: joins, publications, and what ended
  RoomSettings settings;               // fixed for the room's life
  const PacketTapFactory* taps = nullptr;            // sees each new publication's packets (payload dumps)
  const RoomRecordingFactory* recordings = nullptr;  // null: recording is off ("recording_disabled")
  RoomObserver* observer = nullptr;                  // hears what happens (webhooks); null: nobody
  bool subscriber_bwe = true;  // send-side bandwidth estimation on subscriber connections
};

// A room's size and what its live participants have counted (metrics).
struct RoomCensus {
  size_t participants = 0;
  size_t audio_publications = 0;
  size_t video_publications = 0;
  size_t subscriptions = 0;  // live (not stopped) subscriptions
};

// What an administrator changes about a participant (unset: unchanged).
struct ParticipantUpdate {
  std::optional<std::string> name, metadata;
  std::optional<bool> can_publish, can_subscribe, can_publish_data;
};

class Room {
 public:
  Room(std::string name, RoomOptions options, webrtc::MediaPort& port,
       const dtls::DtlsCertificate& certificate);
  ~Room();
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const std::string& name() const;
  const RoomSettings& settings() const;
  // New options (the room service API changed its settings): they hold for
  // whoever joins or publishes next; those in the room stay.
  void update_options(RoomOptions options);

  // Adds a participant. A participant with the same identity is replaced (it
  // gets event::Removed{"duplicate_identity"}, the others see it leave with
  // that reason and join again). Sends event::Joined to the joiner and
  // event::ParticipantJoined to the others (unless hidden); a subscriber is
  // then offered the tracks already published. Returns an error instead,
  // and sends nothing, when the room is full ("room_full") or requires
  // end-to-end encryption from a client that cannot encrypt ("e2ee_unsupported").
  std::optional<event::Error> join(ParticipantInfo info, std::shared_ptr<ParticipantSink> sink,
                                   TimePoint now);
  // Removes a participant; the others get TrackUnpublished for its tracks,
  // then ParticipantLeft, and new offers without them. The leaver is sent nothing.
  void leave(const std::string& identity, std::string_view reason);

  // The publisher connection's offer (browser offers, server answers with
  // event::PublisherAnswer). New sending m-sections become publications
  // (event::TrackPublished to everyone else); m-sections that stopped sending
  // are unpublished. Errors: "publish_not_allowed", "bad_sdp", "too_many_tracks".
  void publisher_offer(const std::string& identity, const std::string& sdp,
                       const std::vector<TrackMeta>& tracks, TimePoint now);
  // The subscriber connection's answer to our last event::SubscriberOffer.
  // Errors: "bad_sdp", "no_offer_pending".
  void subscriber_answer(const std::string& identity, const std::string& sdp);
  // A client that offers to receive (a WHEP player, ParticipantInfo::
  // receives_only_from): the answer to its offer, returned, not delivered.
  // Errors: "participant_not_found", "bad_sdp", "no_matching_tracks".
  using OfferAnswer = std::variant<event::SubscriberAnswer, event::Error>;
  OfferAnswer answer_subscriber_offer(const std::string& identity, const std::string& sdp);
  // Mute state of one of the participant's own tracks. Muted publications
  // forward nothing; the others get event::TrackMuted. Error: "track_not_found".
  void set_track_muted(const std::string& identity, const std::string& track_sid, bool muted);
  // Adaptive stream: how the subscriber shows one track it receives (tile
  // size, visibility, quality limit); the SFU sends the smallest simulcast
  // layer that fills the tile and nothing for a hidden one. Publishers hear
  // of layers nobody wants as event::LayersWanted (dynacast). Error:
  // "track_not_found" (not subscribed to that track).
  void update_track_settings(const std::string& identity, const std::string& track_sid,
                             const TrackSettings& settings);
  // The most the participant receives, in bits per second (nullopt: no
  // limit): its subscriber connection shares it among its tracks by
  // priority and pauses what does not fit (event::TrackPaused).
  void set_receive_bandwidth(const std::string& identity, std::optional<uint64_t> max_bps);
  // A participant's own name or metadata changed: everyone (itself too) gets
  // event::ParticipantUpdated; hidden participants are announced to nobody.
  void update_participant(const std::string& identity, const std::optional<std::string>& name,
                          const std::optional<std::string>& metadata);
  // Signaling reconnect: a new signaling connection takes over the
  // participant; its media transports, tracks and subscriptions carry on
  // (the browser's PeerConnections outlive a dropped WebSocket). Sends the new
  // sink a fresh event::Joined (the room as it is now), then re-sends a
  // pending SubscriberOffer, if any; the sink it replaces gets
  // event::Removed{"resumed_elsewhere"}. False if the identity is unknown.
  bool replace_sink(const std::string& identity, std::shared_ptr<ParticipantSink> sink);
  // Whether `sink` is the participant's current signaling connection. A
  // connection that was replaced (resumed elsewhere, duplicate identity) must
  // no longer act for the participant; the signal layer checks this first.
  bool is_current_sink(const std::string& identity, const ParticipantSink* sink) const;

  // End-to-end encryption key relay (docs/protocol.md): the room passes the
  // client's opaque strings on and never reads them. An announcement replaces
  // the participant's last one and goes to everyone else; each key goes to
  // its one recipient. Errors: "e2ee_not_enabled" (a plain room),
  // "recipient_not_found" (the other keys are still delivered).
  void e2ee_announce(const std::string& identity, std::string announcement);
  void e2ee_keys(const std::string& identity, std::vector<E2eeKeyEnvelope> keys);
  // Direct-connection (P2P) signaling, relayed to the peer it names (P2pRelay).
  void p2p_signal(const std::string& identity, P2pSignal signal);

  // Recording (docs/recording.md): a participant allowed to record starts or
  // stops it; everyone gets event::Recording. While it runs every Opus and
  // VP8 publication, present and future, is tapped, and video publishers are
  // asked for a keyframe. It stops by itself when the room empties or closes.
  // Errors: "recording_disabled", "recording_not_allowed",
  // "recording_active", "recording_not_active", "recording_failed".
  void start_recording(const std::string& identity, TimePoint now);
  void stop_recording(const std::string& identity);
  // The same for whoever the caller has already authorised (the room service
  // API: a token with roomRecord, who need not be in the room). Returns the
  // error instead of sending it: "recording_disabled", "recording_active",
  // "recording_not_active", "recording_failed".
  std::optional<event::Error> start_recording_by(const std::string& started_by, TimePoint now);
  std::optional<event::Error> stop_recording_by(const std::string& stopped_by);
  bool recording() const;
  // The running recording's id; empty when none runs.
  std::string recording_id() const;

  // --- The room service API (docs/api.md): the caller has authorised it ---
  std::chrono::system_clock::time_point created_at() const;
  // Everyone in the room, hidden participants too, in join order.
  std::vector<ParticipantState> participants() const;
  // The participant gets event::Removed{reason}; the others see it leave with
  // that reason. False if it is not in the room.
  bool remove_participant(const std::string& identity, std::string_view reason);
  // Mutes or unmutes a participant's track: forwarding stops (or resumes) and
  // everyone, the publisher too, gets event::TrackMuted.
  // Errors: "participant_not_found", "track_not_found".
  std::optional<event::Error> mute_track(const std::string& identity, const std::string& track_sid,
                                         bool muted);
  // Changes a participant's name, metadata or permissions; it and the others
  // get event::ParticipantUpdated (a hidden one: only itself). A revoked
  // canPublish unpublishes its tracks, a revoked canSubscribe ends its
  // subscriptions, a granted one subscribes it to every track.
  // Error: "participant_not_found".
  std::optional<event::Error> update_participant_by_admin(const std::string& identity,
                                                          const ParticipantUpdate& update);
  // Data from the server itself (DataPacket::kKindServer: no sender, never
  // end-to-end encrypted) to everyone, or to those of `destinations` in the
  // room. Returns how many it was sent to.
  size_t send_server_data(std::string_view topic, std::span<const uint8_t> payload,
                          const std::vector<std::string>& destinations, bool reliable);
  // A participant's connections and tracks now (the stats endpoint); nullopt if it is not in the room.
  std::optional<ParticipantStats> participant_stats(const std::string& identity, TimePoint now);

  // Timers: transports, RTCP (SR/RR/REMB/transport-cc, NACK), active speaker.
  // Participants whose transport closed (consent expired, DTLS failed) are
  // removed here: event::Removed{"connection_lost"} to them, ParticipantLeft
  // to the others. Call every ~20 ms.
  void on_tick(TimePoint now);
  size_t participant_count() const;
  bool empty() const { return participant_count() == 0; }
  // Adds this room's size to `census` and its live counters to `counters`.
  void add_metrics(RoomCensus& census, MediaCounters& counters) const;
  // The room's insides, for the parts that act on it from beside it (another node's part of the room).
  RoomMembers& members();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::sfu
