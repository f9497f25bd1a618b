#pragma once
// One m= section of an SDP description (RFC 8866 §5.14) with the attributes
// WebRTC uses modeled, and every other attribute kept verbatim.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/Candidate.hpp"
#include "sdp/Types.hpp"

namespace ct::sdp {

struct MediaDescription {
  // m=<media> <port>[/<count>] <proto> <fmt> ...
  std::string media = "audio";
  uint16_t port = 9;
  std::optional<uint16_t> port_count;
  std::string proto = "UDP/TLS/RTP/SAVPF";
  std::vector<std::string> formats;

  std::optional<Connection> connection;
  std::vector<Line> extra_lines;  // i=, b=, k= and unknown types, in RFC order

  std::string mid;                 // a=mid (RFC 5888)
  std::optional<Direction> direction;  // absent means sendrecv (RFC 8866 §6.7)
  std::string ice_ufrag, ice_pwd;  // RFC 8839 §5.4; empty when absent
  std::vector<std::string> ice_options;
  std::vector<Fingerprint> fingerprints;
  std::optional<Setup> setup;
  std::optional<Rtcp> rtcp;
  bool rtcp_mux = false;    // RFC 5761
  bool rtcp_rsize = false;  // RFC 5506
  std::vector<Extmap> extmaps;
  std::vector<Codec> codecs;              // in order of first mention
  std::vector<std::string> rtcp_fb_all;   // a=rtcp-fb:* ...
  std::vector<SsrcInfo> ssrcs;
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<Rid> rids;
  std::string simulcast;  // a=simulcast value, verbatim; empty when absent
  std::vector<std::string> msids;  // a=msid (RFC 8830): "stream track"
  std::vector<Candidate> candidates;
  bool end_of_candidates = false;
  std::optional<uint16_t> sctp_port;         // RFC 8841 §5
  std::optional<uint64_t> max_message_size;  // RFC 8841 §6
  std::vector<Attribute> other_attributes;

  MediaKind kind() const { return media_kind_from(media); }
  Direction effective_direction() const { return direction.value_or(Direction::sendrecv); }
  bool is_rtp() const { return proto.find("RTP/") != std::string::npos; }
  bool is_sctp() const { return proto.find("SCTP") != std::string::npos; }
  const Codec* find_codec(uint8_t pt) const;
  const SsrcInfo* find_ssrc(uint32_t ssrc) const;
  bool has_attribute(std::string_view name) const;  // among other_attributes

  // Applies one a= line of this section; returns an error message if malformed.
  std::optional<std::string> parse_attribute(std::string_view name, std::optional<std::string_view> value);
  // Appends the section, starting with its m= line, CRLF-terminated.
  void serialize(std::string& out) const;

  bool operator==(const MediaDescription&) const = default;
};

// Attribute parsers shared by the session and media levels.
std::optional<std::string> parse_extmap(std::string_view value, Extmap& out);
std::optional<std::string> parse_fingerprint(std::string_view value, Fingerprint& out);
std::string extmap_value(const Extmap& extmap);
// Writes ice-ufrag, ice-pwd, ice-options, fingerprint and setup, which may
// stand at either level (RFC 8839 §5.4, RFC 8122 §5, RFC 8842 §5).
void serialize_transport_attributes(std::string& out, const std::string& ice_ufrag, const std::string& ice_pwd,
                                    const std::vector<std::string>& ice_options,
                                    const std::vector<Fingerprint>& fingerprints, const std::optional<Setup>& setup);

}  // namespace ct::sdp
