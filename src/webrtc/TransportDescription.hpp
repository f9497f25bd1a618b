#pragma once
// The server's side of a transport as SDP describes it (RFC 8839 ICE
// attributes, RFC 8122 fingerprint): what every answer and offer we write
// carries for one PeerTransport on one MediaPort.
#include "sdp/DescriptionBuilder.hpp"

namespace ct::webrtc {

class PeerTransport;
class MediaPort;

// ICE-lite credentials, our DTLS fingerprint, setup:passive for answers, and
// one host candidate: the port's announced address.
sdp::TransportParams describe_transport(const PeerTransport& transport, const MediaPort& port);

}  // namespace ct::webrtc
