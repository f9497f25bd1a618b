#pragma once
// Writes the server's side of an offer/answer exchange (JSEP, RFC 8829):
// answers to browser offers (publisher connections) and offers of its own
// (subscriber connections).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sdp/Candidate.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"
#include "sdp/Types.hpp"

namespace ct::sdp {

struct TransportParams {
  std::string ice_ufrag, ice_pwd;
  std::string fingerprint_sha256;  // "AB:CD:..." of our DTLS certificate
  // Our DTLS role in answers to an actpass offer (RFC 8842 §5.3); an offer
  // that is active or passive itself decides it. Offers always use actpass.
  Setup setup = Setup::passive;
  std::vector<Candidate> candidates;
  bool ice_lite = true;
};

struct LocalStream {  // what the server sends in one m-section
  uint32_t ssrc = 0;
  std::optional<uint32_t> rtx_ssrc;
  std::string cname, stream_id, track_id;
};

// The answer to `offer` (JSEP §5.3): same m-sections, mids and order; the
// offerer's payload types and extmap ids; rejected sections with port 0.
// `local_stream_for` is asked for every accepted audio/video section in which
// we would send; without a stream the section only receives.
SessionDescription build_answer(
    const SessionDescription& offer, const Negotiation& negotiation, const TransportParams& transport,
    const std::function<std::optional<LocalStream>(const NegotiatedMedia&)>& local_stream_for);

struct OfferSection {
  MediaKind kind = MediaKind::video;  // application: a data channel section
  std::string mid;
  Direction direction = Direction::sendonly;
  std::vector<NegotiatedCodec> codecs;  // our payload types, in preference order
  std::vector<Extmap> extensions;       // our ids
  std::optional<LocalStream> stream;
  bool stopped = false;  // port 0, left out of BUNDLE (JSEP §5.2.2)
};

// A server-side offer (JSEP §5.2). `previous` is the origin of our last offer
// on this connection: the session id stays and the version goes up (RFC 8866 §5.2).
SessionDescription build_offer(const std::vector<OfferSection>& sections, const TransportParams& transport,
                               const std::optional<Origin>& previous = std::nullopt);

}  // namespace ct::sdp
