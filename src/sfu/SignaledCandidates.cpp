#include "sfu/SignaledCandidates.hpp"

#include "sdp/Candidate.hpp"
#include "sfu/Participant.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::sfu {
namespace {

webrtc::PeerTransport* transport_of(Participant& participant, SignaledCandidates::Connection connection) {
  return connection == SignaledCandidates::Connection::publisher ? participant.publisher_transport()
                                                                 : participant.subscriber_transport();
}

bool add(webrtc::PeerTransport& transport, std::string_view attribute) {
  auto candidate = sdp::Candidate::parse(attribute);
  return candidate && transport.add_remote_candidate(*candidate);
}

}  // namespace

std::optional<SignaledCandidates::Connection> SignaledCandidates::connection_named(std::string_view target) {
  if (target == "publisher") return Connection::publisher;
  if (target == "subscriber") return Connection::subscriber;
  return std::nullopt;
}

size_t SignaledCandidates::add_from_description(Participant& participant, Connection connection,
                                                std::string_view sdp) {
  webrtc::PeerTransport* transport = transport_of(participant, connection);
  if (!transport) return 0;
  size_t kept = 0;
  while (!sdp.empty()) {
    const size_t end = sdp.find('\n');
    std::string_view line = sdp.substr(0, end);
    sdp.remove_prefix(end == std::string_view::npos ? sdp.size() : end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.starts_with("a=candidate:") && add(*transport, line)) ++kept;
  }
  return kept;
}

bool SignaledCandidates::add_trickled(Participant& participant, Connection connection,
                                      std::string_view attribute) {
  webrtc::PeerTransport* transport = transport_of(participant, connection);
  return transport && add(*transport, attribute);
}

}  // namespace ct::sfu
