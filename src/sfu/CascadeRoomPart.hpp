#pragma once
// On one node of a room that spans nodes: another node's participants and
// their tracks, as this node's part of the room sees them. Each remote
// participant is a member of the local room that receives nothing (no
// subscriber connection; events meant for it go nowhere, its own node tells
// it what happens); its tracks are ordinary publications fed from the
// cascade link (RemotePublisher), so local participants are told of them,
// offered them and sent them as any other track, and their keyframe
// requests and NACKs go back over the link. Lives on the room's worker thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/Publication.hpp"
#include "sfu/RemotePublisher.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::sfu {

class CascadeLinkSender;
class Room;

class CascadeRoomPart {
 public:
  // `room` outlives this part; `rtcp_sender_ssrc` heads its RTCP on the link.
  CascadeRoomPart(Room& room, CascadeLinkSender& link, uint32_t rtcp_sender_ssrc,
                  Duration keyframe_request_interval);
  // The other node's participants leave the room (its link is gone).
  ~CascadeRoomPart();
  CascadeRoomPart(const CascadeRoomPart&) = delete;
  CascadeRoomPart& operator=(const CascadeRoomPart&) = delete;

  // A participant on the other node joins here. Errors as Room::join gives
  // them ("room_full"), and "participant_exists" for an identity already in
  // this room as someone else's.
  std::optional<event::Error> join(ParticipantInfo info, TimePoint now);
  // It left the other node; false when it is not one of this part's.
  bool leave(const std::string& identity, std::string_view reason, TimePoint now);
  // One of its tracks: `params` as the origin receives it (payload types,
  // header extension ids), `layer_ssrcs` the SSRCs on the link, lowest layer
  // first. Null for a participant not of this part, a sid in use or one
  // track too many.
  Publication* publish(const std::string& identity, TrackInfo info, PublicationParams params,
                       std::span<const uint32_t> layer_ssrcs, TimePoint now);
  // The track was unpublished at the origin; false when there is no such track of this part.
  bool unpublish(const std::string& identity, std::string_view sid, TimePoint now);
  bool set_layer_ssrcs(std::string_view sid, std::span<const uint32_t> layer_ssrcs) {
    return remote_.set_layer_ssrcs(sid, layer_ssrcs);
  }

  // A plain RTP packet off the link.
  void on_link_rtp(std::span<uint8_t> packet, TimePoint now) { remote_.on_link_rtp(packet, now); }
  // Keyframe requests owed and NACKs for gaps on the link; call with the room's tick.
  void on_tick(TimePoint now) { remote_.on_tick(now); }

  // A wrapped sender key a local participant sent one of the other node's
  // participants: the other node relays it (opaque here, as in E2eeKeyRelay).
  struct OutgoingKey {
    std::string from;
    std::string to;
    std::string blob;
  };
  // Bound on keys held between two control rounds (64 per e2ee_keys message).
  static constexpr size_t kMaxOutgoingKeys = 4096;
  // The keys sent to the other node's participants since the last call.
  std::vector<OutgoingKey> take_keys() { return std::exchange(*keys_, {}); }
  // Keys taken that did not reach the other node (its control POST failed): sent with the next.
  void return_keys(std::vector<OutgoingKey> keys);

  // The room ended by itself (closed with everyone in it): nobody is left to
  // take out of it when this part goes.
  void forget_members() { identities_.clear(); }

  const std::vector<std::string>& identities() const { return identities_; }
  const RemotePublisher& remote() const { return remote_; }

 private:
  bool owns(std::string_view identity) const;

  Room& room_;
  RemotePublisher remote_;
  std::vector<std::string> identities_;  // the other node's participants in the room
  // Filled by their sinks; shared, as a sink may outlive this part in the room.
  std::shared_ptr<std::vector<OutgoingKey>> keys_ = std::make_shared<std::vector<OutgoingKey>>();
};

}  // namespace ct::sfu
