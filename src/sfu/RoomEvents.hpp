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
};

struct TrackInfo {
  std::string sid;        // server-assigned, "TR_" + random
  std::string publisher;  // identity
  std::string kind;       // "audio" or "video"
  std::string source;     // "camera", "microphone", "screen_share", "screen_share_audio", "unknown"
  std::string name;
  std::string mid;        // the m-section in the publisher's connection
  std::string codec;      // "opus", "VP8", "H264"
  bool muted = false;
};

// What the client says about the tracks in its publisher offer, by mid.
struct TrackMeta {
  std::string mid;
  std::string source;
  std::string name;
  bool muted = false;
};

struct ParticipantState {
  ParticipantInfo info;
  std::vector<TrackInfo> tracks;
};

namespace event {
struct Joined {  // to the joiner: who is already there
  std::string room;
  ParticipantInfo self;
  std::vector<ParticipantState> others;
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
struct Speaker { std::string identity; float level = 0; };
struct ActiveSpeakers { std::vector<Speaker> speakers; };  // loudest first; empty = silence
struct Quality { std::string identity; std::string quality; };  // "excellent", "good", "poor", "lost"
struct ConnectionQuality { std::vector<Quality> updates; };
struct Error { std::string code; std::string message; };  // codes documented in docs/protocol.md
struct Removed { std::string reason; };  // the participant was removed (replaced by a newer connection, room closed)
}  // namespace event

using RoomEvent = std::variant<event::Joined, event::ParticipantJoined, event::ParticipantLeft, event::ParticipantUpdated,
                               event::TrackPublished,
                               event::TrackUnpublished, event::TrackMuted, event::PublisherAnswer,
                               event::SubscriberOffer, event::ActiveSpeakers, event::ConnectionQuality,
                               event::Error, event::Removed>;

// One participant's signaling connection as the Room sees it. Called on the
// room's worker thread; implementations queue and return at once.
class ParticipantSink {
 public:
  virtual ~ParticipantSink() = default;
  virtual void deliver(RoomEvent event) = 0;
};

}  // namespace ct::sfu
