#pragma once
// A published track in the two forms the nodes of a room use: as the origin
// describes it in a CascadeTrack message (from its Publication: payload
// types, SSRCs per layer, header extension ids as its packets carry them),
// and as the receiving node makes its Publication from that message, with
// no SDP, so its subscribers are offered and sent the track as any other.
#include <cstdint>
#include <optional>
#include <vector>

#include "cascade/CascadeMessage.hpp"
#include "sfu/Publication.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::cascade {

struct RemoteTrackParams {
  sfu::TrackInfo info;
  sfu::PublicationParams params;
  std::vector<uint32_t> layer_ssrcs;  // lowest layer first; 0 where not known yet
};

// What the origin tells other nodes of `publication` (published, with its mute state).
CascadeTrack describe_track(const sfu::Publication& publication);
// The publication a receiving node makes; nothing for a track it could not
// forward (a kind other than audio or video, no codec, no clock rate).
std::optional<RemoteTrackParams> remote_track_params(const CascadeTrack& track);

}  // namespace ct::cascade
