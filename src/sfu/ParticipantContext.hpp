#pragma once
// What a participant and its parts get from their room: the worker's port
// and certificate, transport options, limits, and the room-wide services
// (active speaker detection, data relay, the worker's totals).
#include "core/Clock.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::dtls {
class DtlsCertificate;
}
namespace ct::webrtc {
class MediaPort;
}

namespace ct::sfu {

class ActiveSpeakerDetector;
class DataRelay;
struct MediaCounters;

struct ParticipantContext {
  webrtc::MediaPort& port;
  const dtls::DtlsCertificate& certificate;
  webrtc::PeerTransport::Options transport_options;
  Duration keyframe_request_interval = milliseconds(500);
  double drop_forwarded_fraction = 0;
  ActiveSpeakerDetector* speakers = nullptr;
  DataRelay* data_relay = nullptr;
  // The worker's totals, where everything this participant counted goes when it ends.
  MediaCounters* totals = nullptr;
  double drop_received_fraction = 0;  // TEST ONLY: inbound media packets dropped after SRTP
  // Send-side bandwidth estimation on subscriber connections (transport-cc offered).
  bool subscriber_bwe = true;
};

}  // namespace ct::sfu
