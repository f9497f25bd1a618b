#pragma once
// The control messages between two nodes that serve one room, one JSON
// object each: who is in the room on the sending node, what they publish
// (with what the receiving node needs to forward the track to its own
// subscribers), and how many of the sending node's subscribers want each of
// the receiving node's tracks. Every message states the whole current state
// of one thing, so a lost or repeated message is corrected by the next.
// Another node is a peer, not a trusted party: parse checks every field
// and bounds every size.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ct::cascade {

struct CascadeParticipant {
  std::string identity;
  std::string name;
  std::string metadata;
  bool present = true;  // false: it left the sending node
  // Its latest end-to-end encryption key announcement, opaque (empty: none
  // yet): the receiving node relays it to its own participants.
  std::string e2ee_announcement;
  // It can encrypt frames (an end-to-end encrypted room admits no other).
  bool e2ee_supported = false;
  bool operator==(const CascadeParticipant&) const = default;
};

// One encoding of a track as the origin receives it: a simulcast layer
// (lowest first) or the single stream. SSRCs are 0 until the origin learns them.
struct CascadeLayer {
  std::string rid;  // empty without simulcast
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  bool operator==(const CascadeLayer&) const = default;
};

// Header extension ids in the origin's publisher connection, as its packets
// carry them over the link (0: not negotiated), so the receiving node
// rewrites them for its subscribers as the origin would.
struct CascadeExtensionIds {
  uint8_t mid = 0;
  uint8_t audio_level = 0;
  uint8_t abs_send_time = 0;
  uint8_t rid = 0;
  uint8_t repaired_rid = 0;
  uint8_t transport_cc = 0;
  bool operator==(const CascadeExtensionIds&) const = default;
};

struct CascadeTrack {
  std::string sid;
  std::string participant;  // the publisher's identity
  std::string kind;         // "audio" or "video"
  std::string source;
  std::string name;
  std::string codec;  // "opus", "VP8", "H264", "VP9"
  uint32_t clock_rate = 0;
  uint16_t channels = 0;
  std::string fmtp;
  uint8_t payload_type = 0;  // on the link: the origin's publisher payload types, unchanged
  std::optional<uint8_t> rtx_payload_type;
  std::vector<CascadeLayer> layers;  // 1..3
  CascadeExtensionIds extensions;
  bool muted = false;
  bool published = true;  // false: unpublished
  bool operator==(const CascadeTrack&) const = default;
};

// How many of the sending node's subscribers want the receiving node's track
// `sid` (0: none), and which of its simulcast layers they may be sent (bit i:
// layer i, lowest first; 0: every layer, as when they have not picked yet).
struct CascadeWant {
  std::string sid;
  uint32_t subscribers = 0;
  uint32_t layers = 0;
  bool operator==(const CascadeWant&) const = default;
};

// A wrapped sender key from one of the sending node's participants for one
// of the receiving node's, opaque: relayed once, as the key relay does in a
// room on one node (docs/security.md).
struct CascadeKey {
  std::string from;
  std::string to;
  std::string blob;
  bool operator==(const CascadeKey&) const = default;
};

using CascadeMessage = std::variant<CascadeParticipant, CascadeTrack, CascadeWant, CascadeKey>;

// Limits on what a peer may send.
inline constexpr size_t kMaxCascadeMessage = 64 * 1024;
inline constexpr size_t kMaxCascadeIdentity = 256;
inline constexpr size_t kMaxCascadeMetadata = 16 * 1024;
// As a client may send them (docs/protocol.md, E2EE).
inline constexpr size_t kMaxCascadeAnnouncement = 4096;
inline constexpr size_t kMaxCascadeKeyBlob = 2048;

std::string to_json(const CascadeMessage& message);
// Nothing for anything but one well-formed message within the limits.
std::optional<CascadeMessage> parse_cascade_message(std::string_view json);

}  // namespace ct::cascade
