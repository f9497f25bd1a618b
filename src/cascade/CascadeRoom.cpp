#include "cascade/CascadeRoom.hpp"

#include <algorithm>
#include <set>

#include "cascade/CascadeFeedback.hpp"
#include "cascade/CascadeKeys.hpp"
#include "cascade/CascadePort.hpp"
#include "cascade/CascadePortLink.hpp"
#include "cascade/CascadeTrackParams.hpp"
#include "cascade/RemoteRoomPart.hpp"
#include "core/Random.hpp"
#include "sfu/CascadeRoomPart.hpp"
#include "sfu/CascadeUplink.hpp"
#include "sfu/Participant.hpp"
#include "sfu/Publication.hpp"
#include "sfu/Room.hpp"
#include "sfu/RoomMembers.hpp"

namespace ct::cascade {

namespace {

CascadeLinkOffer new_offer(const CascadePort& port) {
  return CascadeLinkOffer{port.unused_link_id(), CascadeKeys::generate(srtp::SrtpProfile::AeadAes128Gcm)};
}

}  // namespace

// Members are declared in the order they may be destroyed backwards: the
// part (its publications read from the link) and the uplink go before the link.
struct CascadeRoom::Peer {
  Peer(sfu::Room& room, CascadePort& port, CascadeLinkOffer offer, Duration keyframe_request_interval,
       double drop_sent_fraction)
      : own(std::move(offer)),
        sender(port, own.link_id),
        uplink(sender, drop_sent_fraction),
        part(room, sender, random_u32(), keyframe_request_interval) {}

  CascadeLinkOffer own;
  std::optional<CascadeLinkOffer> theirs;
  bool linked = false;  // the port holds the link
  CascadePortLink sender;
  sfu::CascadeUplink uplink;
  sfu::CascadeRoomPart part;
  RemoteRoomPart remote;
  std::set<std::string> sent_participants;         // told present at the last state_for
  std::map<std::string, std::string> sent_tracks;  // sid -> publisher, told published
  TimePoint heard{};
};

CascadeRoom::CascadeRoom(sfu::Room& room, CascadePort& port, Duration keyframe_request_interval,
                         double drop_sent_fraction)
    : room_(room),
      port_(port),
      keyframe_request_interval_(keyframe_request_interval),
      drop_sent_fraction_(drop_sent_fraction),
      room_created_(room.created_at()) {}

bool CascadeRoom::serves(const sfu::Room* live) const {
  return live == &room_ && live->created_at() == room_created_;
}

CascadeRoom::~CascadeRoom() {
  if (room_gone_)
    for (auto& [name, p] : peers_) p->part.forget_members();
  for (const auto& [name, p] : peers_)
    if (p->linked) port_.remove_link(p->own.link_id);
}

CascadeRoom::Peer& CascadeRoom::peer_of(const std::string& peer, TimePoint now) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) {
    it = peers_
             .emplace(peer, std::make_unique<Peer>(room_, port_, new_offer(port_), keyframe_request_interval_,
                                                   drop_sent_fraction_))
             .first;
    it->second->heard = now;  // a new peer has until the silence timeout to answer
  }
  return *it->second;
}

const CascadeLinkOffer& CascadeRoom::own_offer(const std::string& peer, TimePoint now) {
  return peer_of(peer, now).own;
}

void CascadeRoom::link(const std::string& peer, const CascadeLinkOffer& theirs,
                       const net::SocketAddress& address, TimePoint now) {
  Peer* p = &peer_of(peer, now);
  if (p->linked && p->theirs == theirs) return;
  if (p->theirs && p->theirs != theirs) {
    // The peer started afresh (it restarted, or dropped this node): so does
    // this end, with new keys, so no key is used again with a new SRTP session.
    drop_peer(peer);
    p = &peer_of(peer, now);
  }
  p->theirs = theirs;
  p->linked = port_.add_link(p->own.link_id, theirs.link_id, address, p->own.keys, theirs.keys);
}

bool CascadeRoom::stand_in(const std::string& identity) const {
  for (const auto& [name, p] : peers_) {
    const auto& ids = p->part.identities();
    if (std::find(ids.begin(), ids.end(), identity) != ids.end()) return true;
  }
  return false;
}

void CascadeRoom::apply(const std::string& peer, std::span<const CascadeMessage> messages, TimePoint now) {
  Peer& p = peer_of(peer, now);
  p.heard = now;
  for (const auto& message : messages) {
    if (const auto* want = std::get_if<CascadeWant>(&message)) {
      apply_want(peer, p, *want);
    } else if (const auto* key = std::get_if<CascadeKey>(&message)) {
      apply_key(p, *key);
    } else {
      apply_change(p, message, now);
    }
  }
}

void CascadeRoom::apply_change(Peer& p, const CascadeMessage& message, TimePoint now) {
  using Kind = RemoteRoomPart::Change::Kind;
  for (const auto& change : p.remote.apply(message)) {
    switch (change.kind) {
      case Kind::participant_joined: {
        const CascadeParticipant* remote = p.remote.participant(change.identity);
        sfu::ParticipantInfo info;
        info.identity = remote->identity;
        info.name = remote->name;
        info.metadata = remote->metadata;
        info.e2ee_supported = remote->e2ee_supported;
        if (!p.part.join(std::move(info), now)) relay_announcement(*remote);
        break;
      }
      case Kind::participant_updated: {
        const CascadeParticipant* remote = p.remote.participant(change.identity);
        room_.update_participant(change.identity, remote->name, remote->metadata);
        relay_announcement(*remote);
        break;
      }
      case Kind::participant_left:
        p.part.leave(change.identity, "left", now);
        break;
      case Kind::track_published: {
        auto params = remote_track_params(*p.remote.track(change.sid));
        if (params) p.part.publish(change.identity, params->info, params->params, params->layer_ssrcs, now);
        break;
      }
      case Kind::track_changed: {
        const CascadeTrack* track = p.remote.track(change.sid);
        std::vector<uint32_t> ssrcs;
        for (const auto& layer : track->layers) ssrcs.push_back(layer.ssrc);
        p.part.set_layer_ssrcs(change.sid, ssrcs);
        // Local subscribers see the mute as the origin's own do (event::TrackMuted).
        room_.set_track_muted(change.identity, change.sid, track->muted);
        break;
      }
      case Kind::track_unpublished:
        p.part.unpublish(change.identity, change.sid, now);
        break;
    }
  }
}

void CascadeRoom::relay_announcement(const CascadeParticipant& remote) {
  const sfu::Participant* stand_in = room_.members().member(remote.identity);
  if (!stand_in || remote.e2ee_announcement.empty() ||
      stand_in->e2ee_announcement() == remote.e2ee_announcement)
    return;
  // As the participant's own announce would on its node: kept for later
  // joiners and told to everyone here (a plain room refuses it).
  room_.e2ee_announce(remote.identity, remote.e2ee_announcement);
}

void CascadeRoom::apply_key(Peer& p, const CascadeKey& key) {
  // From one of the peer's participants to one of this node's own: never
  // relayed on to a third node (each node relays its own participants' keys).
  const auto& ids = p.part.identities();
  if (std::find(ids.begin(), ids.end(), key.from) == ids.end() || stand_in(key.to)) return;
  room_.e2ee_keys(key.from, {sfu::E2eeKeyEnvelope{key.to, key.blob}});
}

void CascadeRoom::apply_want(const std::string& peer, Peer& p, const CascadeWant& want) {
  sfu::Publication* publication = nullptr;
  for (const auto& member : room_.members().members()) {
    if (stand_in(member->identity())) continue;
    if ((publication = member->find_publication(want.sid))) break;
  }
  if (!publication) return;  // not (or no longer) a track of this node
  fanout_.set_subscribers(want.sid, peer, want.subscribers);
  const auto& nodes = fanout_.nodes_of(want.sid);
  if (std::find(nodes.begin(), nodes.end(), peer) != nodes.end()) {
    p.uplink.start(*publication);
    p.uplink.set_wanted_layers(*publication, want.layers);
  } else {
    p.uplink.stop(*publication);
  }
}

std::vector<CascadeMessage> CascadeRoom::state_for(const std::string& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return {};
  Peer& p = *it->second;
  std::vector<CascadeMessage> out;
  std::set<std::string> participants;
  std::map<std::string, std::string> tracks;
  for (const auto& member : room_.members().members()) {
    if (stand_in(member->identity()) || member->info().hidden) continue;
    participants.insert(member->identity());
    out.push_back(CascadeParticipant{member->identity(), member->info().name, member->info().metadata, true,
                                     member->e2ee_announcement(), member->info().e2ee_supported});
    for (const auto& publication : member->publications()) {
      tracks.emplace(publication->sid(), member->identity());
      out.push_back(describe_track(*publication));
    }
  }
  for (const auto& [sid, publisher] : p.sent_tracks) {
    if (tracks.contains(sid)) continue;
    CascadeTrack gone;
    gone.sid = sid;
    gone.participant = publisher;
    gone.published = false;
    out.push_back(std::move(gone));
    fanout_.remove_track(sid);
  }
  for (const auto& identity : p.sent_participants)
    if (!participants.contains(identity)) out.push_back(CascadeParticipant{identity, {}, {}, false});
  p.sent_participants = std::move(participants);
  p.sent_tracks = std::move(tracks);
  // Sender keys this node's participants wrapped for the peer's, once each.
  for (auto& key : p.part.take_keys())
    if (!stand_in(key.from))
      out.push_back(CascadeKey{std::move(key.from), std::move(key.to), std::move(key.blob)});
  // How many local subscribers want each of the peer's tracks.
  for (const auto& identity : p.part.identities()) {
    const sfu::Participant* owner = room_.members().member(identity);
    if (!owner) continue;
    for (const auto& publication : owner->publications()) {
      uint32_t subscribers = 0;
      for (const auto& member : room_.members().members())
        if (member->can_subscribe() && member->find_subscription_of(publication->sid())) ++subscribers;
      // The layers they pick among: the origin sends only those (none picked yet: every one).
      const uint32_t layers = publication->simulcast() ? publication->wanted_layers() : 0;
      out.push_back(CascadeWant{publication->sid(), subscribers, layers});
    }
  }
  return out;
}

void CascadeRoom::return_keys(const std::string& peer, std::span<const CascadeMessage> messages) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  std::vector<sfu::CascadeRoomPart::OutgoingKey> keys;
  for (const auto& m : messages)
    if (const auto* key = std::get_if<CascadeKey>(&m)) keys.push_back({key->from, key->to, key->blob});
  if (!keys.empty()) it->second->part.return_keys(std::move(keys));
}

void CascadeRoom::drop_peer(const std::string& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  fanout_.remove_node(peer);
  if (it->second->linked) port_.remove_link(it->second->own.link_id);
  peers_.erase(it);
}

std::vector<CascadeRoom::PeerStats> CascadeRoom::drop_silent_peers(TimePoint before) {
  std::vector<PeerStats> dropped;
  for (const auto& s : stats())
    if (peers_.at(s.peer)->heard < before) dropped.push_back(s);
  for (const auto& s : dropped) drop_peer(s.peer);
  return dropped;
}

std::vector<std::string> CascadeRoom::peers() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : peers_) out.push_back(name);
  return out;
}

namespace {

struct UplinkFeedback final : CascadeFeedbackHandler {
  UplinkFeedback(sfu::CascadeUplink& uplink, TimePoint now) : uplink(uplink), now(now) {}
  void on_keyframe_request(uint32_t media_ssrc) override { uplink.on_keyframe_request(media_ssrc, now); }
  void on_nack(uint32_t media_ssrc, uint16_t sequence_number) override {
    uplink.on_nack(media_ssrc, sequence_number, now);
  }
  sfu::CascadeUplink& uplink;
  TimePoint now;
};

}  // namespace

bool CascadeRoom::on_packet(uint32_t link_id, CascadeKind kind, std::span<uint8_t> packet, TimePoint now) {
  for (auto& [name, p] : peers_) {
    if (p->own.link_id != link_id) continue;
    if (kind == CascadeKind::rtp) {
      p->part.on_link_rtp(packet, now);
    } else {
      UplinkFeedback feedback(p->uplink, now);
      read_cascade_feedback(packet, feedback);
    }
    return true;
  }
  return false;
}

void CascadeRoom::on_tick(TimePoint now) {
  for (auto& [name, p] : peers_) p->part.on_tick(now);
}

size_t CascadeRoom::local_participants() const {
  size_t n = 0;
  for (const auto& member : room_.members().members())
    if (!stand_in(member->identity())) ++n;
  return n;
}

void CascadeRoom::room_ended() { room_gone_ = true; }

std::vector<CascadeRoom::PeerStats> CascadeRoom::stats() const {
  std::vector<PeerStats> out;
  for (const auto& [name, p] : peers_) {
    PeerStats s;
    s.peer = name;
    s.streams_sent = p->uplink.streams();
    s.packets_sent = p->uplink.counters().packets_sent;
    s.retransmissions = p->uplink.counters().retransmissions;
    s.keyframe_requests_received = p->uplink.counters().keyframe_requests;
    for (const auto& identity : p->part.identities()) {
      const sfu::Participant* owner = room_.members().member(identity);
      if (!owner) continue;
      for (const auto& publication : owner->publications())
        s.keyframe_requests_sent += publication->stats().keyframe_requests_sent;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ct::cascade
