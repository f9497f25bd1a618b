#pragma once
// What a Room tells each participant's signaling connection, as plain values.
// The signal layer turns these into protocol messages (docs/protocol.md); the
// SFU knows nothing about JSON or WebSockets.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace ct::sfu {

struct ParticipantInfo {
  std::string identity;
  std::string name;
  std::string metadata;
  bool can_publish = true;
  bool can_subscribe = true;
  bool can_publish_data = true;
  bool hidden = false;  // not announced to others, cannot publish
  bool e2ee_supported = false;  // the client can encrypt frames (an E2EE room admits no other)
  bool can_record = false;      // may start and stop the room's recording
  bool room_admin = false;      // administers the room (opens breakout rooms, moves participants)
  // What kind of client this is: "standard" (a /rtc signaling client) or
  // "ingress" (a broadcaster publishing over WHIP: no signaling connection,
  // subscribes to nothing) or "whep" (a WHEP player: hidden, receives one
  // participant's tracks). Others see it so they can show it differently.
  std::string kind = "standard";
  // A client that offers to receive (a WHEP player, kind "whep"): it is sent
  // only the tracks of the participant with this identity, in the m-sections
  // of its own offer, which the server answers. Empty: every track, offered
  // by the server.
  std::string receives_only_from;
  // A participant connected to another node of a room that spans nodes: its
  // stand-in here is not this node's load (the census leaves it out).
  bool elsewhere = false;
};

struct TrackInfo {
  std::string sid;        // server-assigned, "TR_" + random
  std::string publisher;  // identity
  std::string kind;       // "audio" or "video"
  std::string source;     // "camera", "microphone", "screen_share", "screen_share_audio", "unknown"
  std::string name;
  std::string mid;        // the m-section in the publisher's connection
  std::string codec;      // "opus", "VP8", "H264", "VP9"
  bool muted = false;
  std::vector<std::string> rids;  // simulcast layers (RFC 8851 RIDs), lowest first; empty without simulcast
};

// What the client says about the tracks in its publisher offer, by mid.
struct TrackMeta {
  std::string mid;
  std::string source;
  std::string name;
  bool muted = false;
};

// What a subscriber says about how it shows one track (adaptive stream):
// the tile's size in device pixels (0 x 0: not reported, the best layer is
// wanted), whether it is visible at all, and an optional quality limit
// (a layer index: 0 low, 1 medium, 2 high).
struct TrackSettings {
  uint32_t width = 0, height = 0;
  bool visible = true;
  int max_layer = 1 << 20;  // no limit
};

struct ParticipantState {
  ParticipantInfo info;
  std::vector<TrackInfo> tracks;
  std::string e2ee_announcement;  // opaque, relayed as the client sent it; empty until it announces
};

// What a room is, fixed when it is created (by its first join, or by the
// room service API). A new setting is a member here and one line in the
// signal layer's RoomSettingsJson table.
struct RoomSettings {
  bool e2ee_required = false;  // every frame and data message is end-to-end encrypted by the clients
  uint32_t max_participants = 0;       // 0: the server's limit; never above it
  uint32_t empty_timeout_seconds = 0;  // how long the room lives without participants; 0: the server's default
  bool auto_record = false;            // recording starts when a participant first publishes
  std::string metadata;                // the application's, opaque to the server
  bool p2p = false;                    // participants connect directly while few enough (docs/protocol.md)
  uint32_t p2p_max = 2;                // the most participants in a direct (full mesh) call, 2..4
};

// Direct-connection (P2P) signaling one participant relays to another through
// the room (docs/protocol.md): an SDP offer or answer, an ICE candidate, or
// the report that ICE to that peer failed. The server checks sizes and
// recipients and never reads the SDP.
struct P2pCandidate {
  std::string candidate;  // the a=candidate line's value; empty: end of candidates
  std::string sdp_mid;
  int sdp_mline_index = -1;  // -1: not given
  std::string username_fragment;
};
struct P2pSignal {
  enum class Kind { offer, answer, candidate, failed };
  Kind kind = Kind::offer;
  std::string peer;  // to the server: the recipient; from the server: the sender
  std::string sdp;   // offer, answer
  P2pCandidate candidate;
};

// A wrapped sender key for one participant: opaque to the server (docs/security.md).
struct E2eeKeyEnvelope {
  std::string to;    // recipient identity
  std::string blob;
};

namespace event {
struct Joined {  // to the joiner: who is already there
  std::string room;
  ParticipantInfo self;
  std::vector<ParticipantState> others;
  bool e2ee_required = false;
  bool recording = false;  // the room is being recorded now
  std::string recording_id;
};
struct ParticipantJoined { ParticipantInfo participant; };
struct ParticipantLeft { std::string identity; std::string reason; };
struct ParticipantUpdated { ParticipantInfo participant; };  // name or metadata changed
struct TrackPublished { TrackInfo track; };
struct TrackUnpublished { std::string publisher; std::string sid; };
struct TrackMuted { std::string publisher; std::string sid; bool muted = false; };
// To the publisher: the answer to its publisher-connection offer, and the
// sids given to its new tracks (by mid).
struct PublisherAnswer { std::string sdp; std::vector<TrackInfo> tracks; };
// To a subscriber: an offer for its subscriber connection. `tracks` says
// which track each m-section carries (TrackInfo::mid is then the mid in the
// subscriber connection).
struct SubscriberOffer { std::string sdp; std::vector<TrackInfo> tracks; };
// The answer to a client's offer to receive (WHEP), returned to the caller:
// `tracks` says which track each m-section carries (TrackInfo::mid is the
// client's mid).
struct SubscriberAnswer { std::string sdp; std::vector<TrackInfo> tracks; };
struct Speaker { std::string identity; float level = 0; };
struct ActiveSpeakers { std::vector<Speaker> speakers; };  // loudest first; empty = silence
struct Quality { std::string identity; std::string quality; };  // "excellent", "good", "poor", "lost", "unknown" (P2P)
struct ConnectionQuality { std::vector<Quality> updates; };
struct Error { std::string code; std::string message; };  // codes documented in docs/protocol.md
struct Removed { std::string reason; };  // the participant was removed (replaced by a newer connection, room closed)
// End-to-end encryption key relay: the server passes these on and never reads them.
struct E2eeAnnounce { std::string from; std::string announcement; };  // a signed ephemeral public key
struct E2eeKey { std::string from; std::string blob; };              // a sender key wrapped for you
struct Recording { bool active = false; std::string id; };  // the room's recording started or stopped
// To a publisher (dynacast): which simulcast layers of its track someone
// receives; the client pauses the encodings of the others.
struct LayerWanted { std::string rid; bool active = false; };
struct LayersWanted { std::string sid; std::vector<LayerWanted> layers; };
// To a subscriber: a track it receives was paused (nothing of it is sent) or
// resumed, and why ("bandwidth": its budget cannot carry it).
struct TrackPaused { std::string sid; bool paused = false; std::string reason; };
// To a subscriber: what the server estimates its downlink carries (bits per second).
struct BandwidthEstimate { uint64_t estimate_bps = 0; };
// How the participants of a P2P-enabled room reach each other: "p2p" (a
// direct connection to each of `peers`) or "sfu" (through the server).
struct ConnectionMode { bool p2p = false; std::vector<std::string> peers; };
}  // namespace event

using RoomEvent = std::variant<event::Joined, event::ParticipantJoined, event::ParticipantLeft, event::ParticipantUpdated,
                               event::TrackPublished,
                               event::TrackUnpublished, event::TrackMuted, event::PublisherAnswer,
                               event::SubscriberOffer, event::ActiveSpeakers, event::ConnectionQuality,
                               event::Error, event::Removed, event::E2eeAnnounce, event::E2eeKey,
                               event::Recording, event::LayersWanted, event::TrackPaused,
                               event::BandwidthEstimate, event::ConnectionMode, P2pSignal>;

// One participant's signaling connection as the Room sees it. Called on the
// room's worker thread; implementations queue and return at once.
class ParticipantSink {
 public:
  virtual ~ParticipantSink() = default;
  virtual void deliver(RoomEvent event) = 0;
};

}  // namespace ct::sfu
