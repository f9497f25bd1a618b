#pragma once
// What the server accepts of a browser's offer (JSEP, RFC 8829 §5.3): codecs,
// header extensions and transport, decided once per offer, for the answer
// builder and for the media layer that then runs the agreed sessions.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sdp/Candidate.hpp"
#include "sdp/Result.hpp"
#include "sdp/Types.hpp"

namespace ct::sdp {

struct SessionDescription;

// An fmtp parameter a codec must carry with one of `allowed` values (compared
// case-insensitively). An empty string in `allowed` accepts an absent key.
struct FmtpRequirement {
  std::string key;
  std::vector<std::string> allowed;
};

struct CodecSpec {
  std::string name;  // compared case-insensitively: "opus", "VP8", "H264"
  uint32_t clock_rate = 0;
  uint16_t channels = 0;  // 0: do not check; otherwise the offer's (default 1) must match
  std::vector<FmtpRequirement> fmtp;
};

struct CodecPolicy {  // what the server accepts, in preference order
  std::vector<CodecSpec> audio;
  std::vector<CodecSpec> video;
  bool rtx = true;                          // keep rtx (RFC 4588 apt) for accepted codecs
  std::vector<std::string> rtcp_fb;         // "nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"
  std::vector<std::string> header_extensions;  // accepted URIs
  bool data_channels = false;

  // Opus; VP8 and H.264 constrained baseline (packetization-mode=1); RTX; NACK,
  // PLI, FIR, REMB, transport-cc; the usual extensions; data channels on.
  static CodecPolicy defaults();
};

struct NegotiatedCodec {
  uint8_t pt = 0;  // the offerer's payload type, kept (RFC 8829 §5.3.1)
  std::string name;
  uint32_t clock_rate = 0;
  uint16_t channels = 0;  // 0 when the rtpmap gave none
  std::string fmtp;
  std::vector<std::string> rtcp_fb;
  std::optional<uint8_t> rtx_pt;
  bool operator==(const NegotiatedCodec&) const = default;
};

struct NegotiatedMedia {
  std::string mid;
  MediaKind kind = MediaKind::audio;
  std::string media;  // the m= media token ("audio", "video", "application", ...)
  std::string proto;
  bool rejected = false;
  std::string reject_reason;
  Direction direction = Direction::inactive;  // ours: the reverse of the offer's
  std::vector<NegotiatedCodec> codecs;        // in our preference order
  // As the answer declares them: the offerer's ids, accepted URIs only,
  // directions reversed.
  std::vector<Extmap> extensions;
  bool rtcp_rsize = false;  // offered, so the answer accepts it
  // The offerer's sources: media SSRCs (repair SSRCs of FID groups left out),
  // (media, rtx) pairs from a=ssrc-group:FID, the stream/track ids.
  std::vector<uint32_t> remote_ssrcs;
  std::vector<std::pair<uint32_t, uint32_t>> remote_rtx_ssrcs;
  std::string remote_msid;
  // Simulcast layers the offerer sends (RFC 8853), rid send entries only.
  std::vector<Rid> rids;
  std::string simulcast_send;  // the offer's "send" stream list, "q;h;f"
  // Data channel (RFC 8841).
  std::optional<uint16_t> remote_sctp_port;
  std::optional<uint64_t> remote_max_message_size;
  bool legacy_sctpmap = false;  // "DTLS/SCTP 5000" + a=sctpmap, as older stacks offer

  const NegotiatedCodec* find_codec(uint8_t pt) const;
};

struct Negotiation {
  std::vector<NegotiatedMedia> media;  // one per offered m-section, same order
  std::vector<std::string> bundle_mids;  // accepted mids, in the offer's BUNDLE order
  // Transport of the BUNDLE group, from its tagged (first accepted) m-section.
  std::string remote_ice_ufrag, remote_ice_pwd;
  Fingerprint remote_fingerprint;  // the sha-256 one
  Setup remote_setup = Setup::actpass;
  bool remote_ice_lite = false;
  std::vector<Candidate> remote_candidates;
  bool extmap_allow_mixed = false;
  std::vector<std::string> warnings;  // what was left out, and why

  const NegotiatedMedia* find(std::string_view mid) const;
};

// Decides what to accept of `offer`; an error names why it is unusable: no
// BUNDLE, no rtcp-mux, no ICE credentials, no sha-256 fingerprint, no mids,
// nothing acceptable.
Result<Negotiation> negotiate(const SessionDescription& offer, const CodecPolicy& policy);

}  // namespace ct::sdp
