#include "sfu/CascadeRoomPart.hpp"

#include <algorithm>
#include <memory>

#include "sfu/Participant.hpp"
#include "sfu/Room.hpp"
#include "sfu/RoomMembers.hpp"

namespace ct::sfu {
namespace {

// Where the events of a participant on another node go: nowhere, but for
// the sender keys wrapped for it, which the other node relays. Its own node's
// room tells it everything else, from the same changes this node sends there.
struct ElsewhereSink final : ParticipantSink {
  ElsewhereSink(std::string identity, std::shared_ptr<std::vector<CascadeRoomPart::OutgoingKey>> keys)
      : identity(std::move(identity)), keys(std::move(keys)) {}
  void deliver(RoomEvent event) override {
    auto* key = std::get_if<event::E2eeKey>(&event);
    if (!key || keys->size() >= CascadeRoomPart::kMaxOutgoingKeys) return;
    keys->push_back({std::move(key->from), identity, std::move(key->blob)});
  }
  std::string identity;
  std::shared_ptr<std::vector<CascadeRoomPart::OutgoingKey>> keys;
};

}  // namespace

CascadeRoomPart::CascadeRoomPart(Room& room, CascadeLinkSender& link, uint32_t rtcp_sender_ssrc,
                                 Duration keyframe_request_interval)
    : room_(room), remote_(link, rtcp_sender_ssrc, keyframe_request_interval) {}

CascadeRoomPart::~CascadeRoomPart() {
  const auto identities = std::move(identities_);
  for (const auto& identity : identities) room_.leave(identity, "node_left");
}

void CascadeRoomPart::return_keys(std::vector<OutgoingKey> keys) {
  // Before those queued since, in the order they were sent, within the bound.
  for (auto& key : *keys_) {
    if (keys.size() >= kMaxOutgoingKeys) break;
    keys.push_back(std::move(key));
  }
  *keys_ = std::move(keys);
}

bool CascadeRoomPart::owns(std::string_view identity) const {
  return std::find(identities_.begin(), identities_.end(), identity) != identities_.end();
}

std::optional<event::Error> CascadeRoomPart::join(ParticipantInfo info, TimePoint now) {
  if (owns(info.identity)) return std::nullopt;  // said again: nothing changes
  if (room_.members().member(info.identity)) {
    return event::Error{"participant_exists", "another participant in this room is " + info.identity};
  }
  // It receives from its own node and publishes through the link only.
  info.can_subscribe = false;
  info.can_publish_data = false;
  info.elsewhere = true;
  std::string identity = info.identity;
  auto sink = std::make_shared<ElsewhereSink>(identity, keys_);
  if (auto error = room_.join(std::move(info), std::move(sink), now)) return error;
  identities_.push_back(std::move(identity));
  return std::nullopt;
}

bool CascadeRoomPart::leave(const std::string& identity, std::string_view reason, TimePoint) {
  if (!owns(identity)) return false;
  std::erase(identities_, identity);
  room_.leave(identity, reason);
  return true;
}

Publication* CascadeRoomPart::publish(const std::string& identity, TrackInfo info, PublicationParams params,
                                      std::span<const uint32_t> layer_ssrcs, TimePoint now) {
  RoomMembers& members = room_.members();
  Participant* owner = owns(identity) ? members.member(identity) : nullptr;
  if (!owner || owner->publications().size() >= Participant::kMaxPublications) return nullptr;
  info.publisher = identity;
  params.totals = nullptr;  // counted on the node the publisher sends to
  auto made = remote_.make(std::move(info), std::move(params), layer_ssrcs);
  if (!made) return nullptr;
  Publication& publication = owner->adopt_publication(std::move(made));
  members.announce(owner, event::TrackPublished{publication.info()});
  for (const auto& q : members.members()) {
    if (q.get() == owner || !q->can_subscribe()) continue;
    q->subscribe(publication);
    members.offer_again(*q, now);
  }
  return &publication;
}

bool CascadeRoomPart::unpublish(const std::string& identity, std::string_view sid, TimePoint now) {
  RoomMembers& members = room_.members();
  Participant* owner = owns(identity) ? members.member(identity) : nullptr;
  std::unique_ptr<Publication> publication = owner ? owner->release_publication(sid) : nullptr;
  if (!publication) return false;
  std::vector<Participant*> changed;
  members.withdraw(*owner, *publication, changed);
  publication.reset();  // nobody subscribes to it any more
  for (auto* q : changed) members.offer_again(*q, now);
  return true;
}

}  // namespace ct::sfu
