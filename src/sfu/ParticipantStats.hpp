#pragma once
// One participant's numbers at one moment, as the stats endpoint shows them
// (docs/api.md): taken on the room's worker (ParticipantStatsCollector) and
// rendered elsewhere. Plain values, no references into the room.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/SocketAddress.hpp"

namespace ct::sfu {

// One simulcast layer (or the whole track without simulcast) as it arrives.
struct LayerStats {
  std::string rid;           // empty without simulcast
  uint64_t bitrate_bps = 0;  // over the last second
  uint64_t packets = 0;
  uint16_t width = 0, height = 0;  // from its last keyframe, where the codec says (VP8)
  bool live = false;               // sent something in the last 1.5 s
};

struct PublishedTrackStats {
  std::string sid, kind, codec;
  bool muted = false;
  uint64_t bitrate_bps = 0;   // all layers together
  uint64_t packets = 0;       // received, retransmissions included
  int64_t packets_lost = 0;   // cumulative, over the layers (RFC 3550 A.3)
  double loss_fraction = 0;   // the worst layer's, over its last RR interval
  double jitter_seconds = 0;  // the worst layer's interarrival jitter (RFC 3550 A.8)
  // Feedback about this track from its subscribers, and what the server sent the publisher.
  uint64_t nacks_received = 0, plis_received = 0, firs_received = 0;
  uint64_t nacks_sent = 0, keyframe_requests_sent = 0;
  std::vector<LayerStats> layers;
};

struct SubscribedTrackStats {
  std::string sid, publisher, kind, codec;
  uint64_t bitrate_bps = 0;  // the forwarded layer's arrival rate over the last second; 0 while paused
  uint64_t packets = 0;      // forwarded to this subscriber
  uint64_t retransmitted = 0;
  // What the subscriber's browser reported in its last RTCP receiver report.
  bool reported = false;
  double loss_fraction = 0;
  int64_t packets_lost = 0;
  double jitter_seconds = 0;
  // Feedback the subscriber sent about this track.
  uint64_t nacks = 0, plis = 0, firs = 0;
  int layer = -1;         // the simulcast layer forwarded now (0 without simulcast), -1: none
  int target_layer = -1;  // the one it is switching to or staying on
  bool paused = false;    // by the bandwidth allocator
};

struct ConnectionStats {
  bool connected = false;
  std::optional<net::SocketAddress> remote_address;  // the browser's, on the selected path
  // Its ICE candidate type: the signaled candidate's at that address, else prflx (RFC 8445 §7.3.1.3).
  std::optional<std::string> candidate_type;
};

struct ParticipantStats {
  std::string identity;
  std::string connection_quality;        // excellent, good, poor, lost
  std::optional<double> rtt_seconds;     // the last round trip measured on either connection
  std::optional<uint64_t> estimate_bps;  // the subscriber connection's send-side estimate
  ConnectionStats publisher, subscriber;
  std::vector<PublishedTrackStats> published;
  std::vector<SubscribedTrackStats> subscribed;
};

}  // namespace ct::sfu
