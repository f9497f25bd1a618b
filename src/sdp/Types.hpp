#pragma once
// Value types of an SDP description (RFC 8866) and of the attributes WebRTC
// uses, with their small text conversions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ct::sdp {

enum class MediaKind { audio, video, application, other };
enum class Direction { sendrecv, sendonly, recvonly, inactive };
// RFC 4145 §4 / RFC 8842: who opens the DTLS association.
enum class Setup { actpass, active, passive, holdconn };
enum class RidDirection { send, recv };

std::string_view to_string(MediaKind kind);
std::string_view to_string(Direction direction);
std::string_view to_string(Setup setup);
std::string_view to_string(RidDirection direction);
MediaKind media_kind_from(std::string_view media);
std::optional<Direction> parse_direction(std::string_view text);
std::optional<Setup> parse_setup(std::string_view text);

// RFC 3264 §6: an answer's direction is the offer's seen from the other end.
Direction reverse(Direction direction);
bool sends(Direction direction);
bool receives(Direction direction);

// Header extension URIs WebRTC endpoints offer (RFC 8285 registry and
// Chromium's experimental ones).
namespace ext_uri {
inline constexpr std::string_view mid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr std::string_view rid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr std::string_view repaired_rid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr std::string_view audio_level = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr std::string_view toffset = "urn:ietf:params:rtp-hdrext:toffset";
inline constexpr std::string_view video_orientation = "urn:3gpp:video-orientation";
inline constexpr std::string_view abs_send_time = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr std::string_view transport_cc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
}  // namespace ext_uri

// An attribute CipherTalk does not model, kept verbatim: `a=name[:value]`.
struct Attribute {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const Attribute&) const = default;
};

// A line other than v/o/s/t/c/m/a (i=, b=, k=, r=, z=, ...), kept verbatim.
struct Line {
  char type = 'x';
  std::string value;
  bool operator==(const Line&) const = default;
};

struct Origin {  // o= (RFC 8866 §5.2)
  std::string username = "-";
  std::string session_id = "0";
  uint64_t session_version = 0;
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "127.0.0.1";
  bool operator==(const Origin&) const = default;
};

struct Connection {  // c= (RFC 8866 §5.7)
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "0.0.0.0";
  bool operator==(const Connection&) const = default;
};

struct Timing {  // t= (RFC 8866 §5.9)
  uint64_t start = 0;
  uint64_t stop = 0;
  bool operator==(const Timing&) const = default;
};

struct Fingerprint {  // a=fingerprint (RFC 8122 §5)
  std::string algorithm;  // "sha-256"
  std::string value;      // "AB:CD:..."
  bool operator==(const Fingerprint&) const = default;
};

struct Group {  // a=group (RFC 5888), e.g. BUNDLE (RFC 8843)
  std::string semantics;
  std::vector<std::string> mids;
  bool operator==(const Group&) const = default;
};

struct MsidSemantic {  // a=msid-semantic (legacy, still sent by browsers)
  std::string semantic;  // "WMS"
  std::vector<std::string> ids;
  bool operator==(const MsidSemantic&) const = default;
};

struct Extmap {  // a=extmap (RFC 8285 §8)
  uint16_t id = 0;  // 1..255
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;  // extension attributes after the URI, verbatim
  bool operator==(const Extmap&) const = default;
};

struct FmtpParam {
  std::string key;
  std::string value;
  bool operator==(const FmtpParam&) const = default;
};
// "a=1;b=2" -> {a,1},{b,2}; a part without '=' becomes a key with an empty value.
std::vector<FmtpParam> parse_fmtp(std::string_view fmtp);

struct Codec {  // a=rtpmap + a=fmtp + a=rtcp-fb for one payload type
  uint8_t pt = 0;
  std::string name;  // empty when the payload type has no a=rtpmap
  uint32_t clock_rate = 0;
  std::optional<uint16_t> channels;
  std::string fmtp;               // verbatim
  std::vector<FmtpParam> params;  // fmtp parsed
  std::vector<std::string> rtcp_fb;  // "nack", "nack pli", "transport-cc"...
  // The value of fmtp parameter `key` (case-insensitive key), if present.
  std::optional<std::string_view> param(std::string_view key) const;
  bool operator==(const Codec&) const = default;
};

struct SsrcInfo {  // a=ssrc (RFC 5576 §4.1)
  uint32_t ssrc = 0;
  std::string cname;
  std::string msid;  // "stream track"
  std::vector<Attribute> attributes;  // any other source attribute
  bool operator==(const SsrcInfo&) const = default;
};

struct SsrcGroup {  // a=ssrc-group (RFC 5576 §4.2), e.g. FID (RFC 4588)
  std::string semantics;
  std::vector<uint32_t> ssrcs;
  bool operator==(const SsrcGroup&) const = default;
};

struct Rid {  // a=rid (RFC 8851)
  std::string id;
  RidDirection direction = RidDirection::send;
  std::string restrictions;  // "pt=96;max-width=640", verbatim
  bool operator==(const Rid&) const = default;
};

// a=simulcast (RFC 8853 §5.1) split into its send and receive stream lists,
// each kept verbatim ("q;h;f", "~q;h,f").
struct Simulcast {
  std::string send;
  std::string recv;
};
std::optional<Simulcast> parse_simulcast(std::string_view value);
std::string to_string(const Simulcast& simulcast);

struct Rtcp {  // a=rtcp (RFC 3605)
  uint16_t port = 9;
  std::string address;  // "IN IP4 0.0.0.0" or empty
  bool operator==(const Rtcp&) const = default;
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace ct::sdp
