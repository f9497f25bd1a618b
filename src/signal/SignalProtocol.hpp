#pragma once
// The /rtc signaling protocol (docs/protocol.md), version 1: JSON text
// messages, each an object with a "type". Parsing checks the schema by hand
// and reports a stable error code; nothing here throws to the caller.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sfu/RoomEvents.hpp"

namespace ct::signal {

inline constexpr int kProtocolVersion = 1;

namespace request {
struct Join {
  std::string token;
  int protocol = kProtocolVersion;
  bool resume = false;          // reconnect within the window: keep tracks and subscriptions
  bool e2ee_supported = false;  // e2ee.supported: the client can encrypt frames
  bool e2ee_require = false;    // e2ee.require: create the room encrypted (honoured in --dev only)
  bool p2p = false;             // create the room with direct connections (honoured in --dev only)
  // resume_only (implies resume): the participant must be in the room; no fresh join (`resume_failed`)
  bool resume_only = false;
};
struct Offer {  // publisher connection
  std::string sdp;
  std::vector<sfu::TrackMeta> tracks;
};
struct Answer {  // subscriber connection
  std::string sdp;
};
struct Trickle {          // one of the client's ICE candidates, kept to name the path's candidate type
  std::string target;     // "publisher" or "subscriber" (the connection); others are ignored
  std::string candidate;  // the RTCIceCandidateInit's candidate attribute; "" ends the candidates
};
struct Mute {
  std::string sid;
  bool muted = false;
};
struct Update {  // your own display name or metadata; others get participant_updated
  static constexpr size_t kMaxName = 128, kMaxMetadata = 4096;
  std::optional<std::string> name;
  std::optional<std::string> metadata;
};
struct Leave {};
// End-to-end encryption key relay: opaque strings the server passes on.
struct E2eeAnnounce {
  static constexpr size_t kMaxAnnouncement = 4096;
  std::string announcement;
};
struct E2eeKeys {
  static constexpr size_t kMaxKeys = 64, kMaxBlob = 2048, kMaxIdentity = 256;
  std::vector<sfu::E2eeKeyEnvelope> keys;
};
struct Ping {
  int64_t timestamp = 0;
};
// Adaptive stream: how this subscriber shows one track it receives.
struct UpdateTrackSettings {
  static constexpr int64_t kMaxDimension = 16384;
  std::string sid;
  sfu::TrackSettings settings;
};
// The most this subscriber wants to receive, in bits per second (a data
// saver); nullopt lifts the limit.
struct SetReceiveBandwidth {
  static constexpr uint64_t kMaxBps = 100'000'000'000;
  std::optional<uint64_t> max_bps;
};
// The room's recording (needs the roomRecord grant; docs/recording.md).
struct StartRecording {};
struct StopRecording {};
// Breakout rooms (needs the roomAdmin grant; docs/protocol.md): open rooms
// by their short names, move one participant into one ("" : back to the main
// room), close them all and call everyone back.
struct BreakoutOpen {
  static constexpr size_t kMaxRooms = 64, kMaxName = 64;  // parsing bounds; BreakoutRooms checks the rules
  std::vector<std::string> rooms;
};
struct BreakoutMove {
  std::string identity;
  std::string room;
};
struct BreakoutClose {};
// Direct-connection signaling for a peer (p2p_offer, p2p_answer,
// p2p_candidate, p2p_failed), relayed by the room.
struct P2p {
  static constexpr size_t kMaxIdentity = 256;
  sfu::P2pSignal signal;
};
// The server's view of your own connections and, with `participant`, of what
// you receive from that publisher (docs/protocol.md); answered with "stats".
struct GetStats {
  static constexpr size_t kMaxRequestId = 64, kMaxIdentity = 256;
  std::string request_id;
  std::optional<std::string> participant;
};
}  // namespace request

using Request =
    std::variant<request::Join, request::Offer, request::Answer, request::Trickle, request::Mute,
                 request::Update, request::Leave, request::Ping, request::E2eeAnnounce, request::E2eeKeys,
                 request::StartRecording, request::StopRecording, request::UpdateTrackSettings,
                 request::SetReceiveBandwidth, request::BreakoutOpen, request::BreakoutMove,
                 request::BreakoutClose, request::P2p, request::GetStats>;

struct ProtocolError {
  std::string code;     // "bad_json", "bad_message", "unknown_type"
  std::string message;  // for people
};

// Parses one client message.
std::variant<Request, ProtocolError> parse_request(std::string_view text);
std::string_view request_name(const Request& request);

// A STUN/TURN server for the browser's RTCPeerConnection (iceServers).
struct IceServer {
  std::vector<std::string> urls;
  std::string username;
  std::string credential;
};

// Server messages. `ice_servers` goes into "joined" (ignored for other events).
std::string serialize_event(const sfu::RoomEvent& event, const std::vector<IceServer>& ice_servers = {});
std::string serialize_error(std::string_view code, std::string_view message,
                            std::string_view request_type = {});
std::string serialize_pong(int64_t timestamp);

// `move`: join `room` with `token` (at `url` when it is on another server; empty: this one).
std::string serialize_move(const std::string& room, const std::string& token, const std::string& url,
                           const std::string& reason);
// `reconnect`: take the signaling to `url` and resume there (the media stays as it is).
std::string serialize_reconnect(const std::string& url, const std::string& reason);
// `breakout_state`: the open breakout rooms of `main_room` and who is in each.
struct BreakoutRoomState {
  std::string name;  // as the administrator named it
  std::string room;  // the full room name
  std::vector<std::string> participants;
};
std::string serialize_breakout_state(const std::string& main_room,
                                     const std::vector<BreakoutRoomState>& rooms);

}  // namespace ct::signal
