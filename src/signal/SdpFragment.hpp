#pragma once
// An SDP fragment for trickle ICE and ICE restarts: the media type
// application/trickle-ice-sdpfrag (RFC 8840 §9), as WHIP and WHEP clients
// send it in a PATCH (RFC 9725 §4.3). It carries ICE credentials and options
// and, per m-line, the mid, candidates and end-of-candidates. Parses
// untrusted input: every line is checked and the sizes are bounded.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ct::signal {

struct SdpFragment {
  static constexpr size_t kMaxLines = 1024;
  static constexpr size_t kMaxMedia = 64;
  static constexpr size_t kMaxCandidates = 256;  // in the whole fragment
  static constexpr size_t kMaxLineLength = 1024;
  // ICE options are short tokens ("trickle", "ice2"); together they fit one line.
  static constexpr size_t kMaxIceOptions = 16;
  static constexpr size_t kMaxIceOptionLength = 32;

  struct Media {
    std::string mline;  // what follows "m=": "audio 9 UDP/TLS/RTP/SAVPF 111"
    std::string mid;
    std::string ice_ufrag, ice_pwd;       // media-level credentials, when given there
    std::vector<std::string> candidates;  // attribute values: "candidate:1 1 UDP 2130706431 ..."
    bool end_of_candidates = false;
  };

  bool ice_lite = false;
  std::vector<std::string> ice_options;
  std::string ice_ufrag, ice_pwd;   // session-level credentials
  std::vector<std::string> bundle;  // mids of a=group:BUNDLE
  std::vector<Media> media;
  bool end_of_candidates = false;  // session-level a=end-of-candidates

  // The fragment, or nothing with `error` saying which line is wrong and why.
  // Lines end in CRLF or LF. Only a= and m= lines belong in a fragment;
  // attributes other than the ICE ones are skipped, as SDP parsers skip
  // attributes they do not know (RFC 8866 §5.13).
  static std::optional<SdpFragment> parse(std::string_view text, std::string& error);

  // The credentials in force: session-level, else the first m-line's.
  std::string_view ufrag() const;
  std::string_view pwd() const;
  // Whether the fragment names candidates or their end at all.
  size_t candidate_count() const;

  // CRLF lines, session-level attributes first.
  std::string serialize() const;

  // The ICE part of a full session description: ice-lite, options,
  // credentials (moved to session level), the BUNDLE group and the first
  // m-line with its mid and candidates. What the 200 answer to an ICE
  // restart carries (RFC 9725 §4.3.3).
  static SdpFragment ice_of(std::string_view sdp);

  // `sdp` with the value of every a=ice-ufrag and a=ice-pwd line replaced
  // (an ICE restart keeps everything else of the negotiated session).
  static std::string with_ice_credentials(std::string_view sdp, std::string_view ufrag, std::string_view pwd);
};

}  // namespace ct::signal
