#include "webrtc/TransportDescription.hpp"

#include "webrtc/MediaPort.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::webrtc {

sdp::TransportParams describe_transport(const PeerTransport& transport, const MediaPort& port) {
  sdp::TransportParams params;
  params.ice_ufrag = transport.local_ufrag();
  params.ice_pwd = transport.local_pwd();
  params.fingerprint_sha256 = transport.local_fingerprint();
  params.ice_lite = true;
  // Answers take the passive role (RFC 8842 §5.3); offers are actpass regardless.
  params.setup = sdp::Setup::passive;
  sdp::Candidate candidate;
  auto address = port.candidate_address();
  candidate.foundation = "1";
  candidate.component = 1;
  candidate.transport = "udp";
  candidate.priority = 2130706431u;  // type preference 126 (host), RFC 8445 §5.1.2.1
  candidate.address = address.ip_string();
  candidate.port = address.port();
  candidate.type = "host";
  params.candidates.push_back(candidate);
  return params;
}

}  // namespace ct::webrtc
