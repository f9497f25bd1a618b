#pragma once
// An SDP session description (RFC 8866) as WebRTC uses it (JSEP, RFC 8829):
// parsed from text into a model, and written back in RFC order with CRLF.
// Attributes that are not modeled are kept verbatim, so nothing is lost on a
// round trip.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/MediaDescription.hpp"
#include "sdp/Result.hpp"
#include "sdp/Types.hpp"

namespace ct::sdp {

struct SessionDescription {
  Origin origin;
  std::string session_name = "-";
  std::optional<Connection> connection;
  Timing timing;
  std::vector<Line> extra_lines;  // i= u= e= p= b= r= z= k=, extra t=, unknown types

  // Session-level attributes.
  std::vector<Group> groups;  // a=group:BUNDLE ...
  bool ice_lite = false;
  std::string ice_ufrag, ice_pwd;  // empty when absent
  std::vector<std::string> ice_options;
  std::vector<Fingerprint> fingerprints;
  std::optional<Setup> setup;
  bool extmap_allow_mixed = false;  // RFC 8285 §6
  std::optional<MsidSemantic> msid_semantic;
  std::vector<Extmap> extmaps;  // session-level extmaps apply to every m-section
  std::optional<Direction> direction;
  std::vector<Attribute> other_attributes;

  std::vector<MediaDescription> media;

  // Accepts CRLF or LF line ends. Never throws; on malformed input the error
  // names the line: "line 12: extmap id '0' is not in 1..255".
  static Result<SessionDescription> parse(std::string_view text);
  // CRLF line ends, RFC 8866 order.
  std::string serialize() const;

  const Group* find_group(std::string_view semantics) const;
  const MediaDescription* find_media(std::string_view mid) const;

  bool operator==(const SessionDescription&) const = default;
};

// Descriptions larger than this are refused before parsing.
inline constexpr size_t kMaxSdpSize = 1 << 20;

}  // namespace ct::sdp
