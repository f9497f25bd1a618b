#include "cascade/CascadeWorker.hpp"

#include "net/EventLoop.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"

namespace ct::cascade {

namespace {

// The same throttle a room's own publications use by default (RoomOptions).
constexpr Duration kKeyframeRequestInterval = std::chrono::milliseconds(500);
// Keyframe requests owed and NACKs for gaps on the links, as often as the worker's own tick.
constexpr Duration kTick = std::chrono::milliseconds(20);
constexpr uint64_t kHousekeepingTicks = 50;

void add(CascadeWorker::PeerTotals& to, const CascadeRoom::PeerStats& s) {
  to.packets_sent += s.packets_sent;
  to.retransmissions += s.retransmissions;
  to.keyframe_requests_received += s.keyframe_requests_received;
  to.keyframe_requests_sent += s.keyframe_requests_sent;
}

}  // namespace

CascadeWorker::CascadeWorker(sfu::MediaWorker& worker, const net::SocketAddress& bind,
                             double drop_sent_fraction)
    : worker_(worker), port_(worker.loop(), bind, *this), drop_sent_fraction_(drop_sent_fraction) {
  tick_timer_ = worker_.loop().schedule_every(kTick, [this] { on_tick(); });
}

CascadeWorker::~CascadeWorker() { worker_.loop().cancel(tick_timer_); }

CascadeRoom* CascadeWorker::find(const std::string& room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return nullptr;
  if (it->second->serves(worker_.find_room(room))) return it->second.get();
  // Closed (by the room API, or emptied): its members are gone, and with
  // them what its links counted since the last metrics round.
  it->second->room_ended();
  rooms_.erase(it);
  return nullptr;
}

std::optional<std::vector<CascadeWorker::Outgoing>> CascadeWorker::prepare(
    const std::string& room, const std::vector<std::string>& peers) {
  CascadeRoom* cascade = find(room);
  if (!cascade) {
    sfu::Room* local = worker_.find_room(room);
    if (!local) return std::nullopt;
    cascade = rooms_
                  .emplace(room, std::make_unique<CascadeRoom>(*local, port_, kKeyframeRequestInterval,
                                                               drop_sent_fraction_))
                  .first->second.get();
  }
  std::vector<Outgoing> out;
  TimePoint now = Clock::now();
  for (const auto& peer : peers) {
    CascadeLinkOffer offer = cascade->own_offer(peer, now);
    out.push_back(Outgoing{peer, std::move(offer), cascade->state_for(peer)});
  }
  return out;
}

std::optional<CascadeWorker::Outgoing> CascadeWorker::receive(
    const std::string& room, const std::string& peer, const CascadeLinkOffer& offer,
    const net::SocketAddress& address, std::span<const CascadeMessage> messages, bool open_room) {
  CascadeRoom* cascade = find(room);
  if (!cascade) {
    sfu::Room* local = worker_.find_room(room);
    if (!local && !open_room) return std::nullopt;
    if (!local) local = &worker_.room(room);
    cascade = rooms_
                  .emplace(room, std::make_unique<CascadeRoom>(*local, port_, kKeyframeRequestInterval,
                                                               drop_sent_fraction_))
                  .first->second.get();
  }
  TimePoint now = Clock::now();
  cascade->link(peer, offer, address, now);
  cascade->apply(peer, messages, now);
  CascadeLinkOffer own = cascade->own_offer(peer, now);
  return Outgoing{peer, std::move(own), cascade->state_for(peer)};
}

void CascadeWorker::return_keys(const std::string& room, const std::string& peer,
                                std::span<const CascadeMessage> messages) {
  if (CascadeRoom* cascade = find(room)) cascade->return_keys(peer, messages);
}

size_t CascadeWorker::local_participants(const std::string& room) {
  if (CascadeRoom* cascade = find(room)) return cascade->local_participants();
  sfu::Room* local = worker_.find_room(room);
  return local ? local->participant_count() : 0;
}

std::vector<std::string> CascadeWorker::rooms() const {
  std::vector<std::string> out;
  for (const auto& [name, room] : rooms_) out.push_back(name);
  return out;
}

std::map<std::string, CascadeWorker::PeerTotals> CascadeWorker::totals() {
  std::map<std::string, PeerTotals> out = ended_;
  for (auto& [name, room] : rooms_) {
    if (!room->serves(worker_.find_room(name))) continue;  // ended: dropped on the next find()
    for (const auto& s : room->stats()) {
      add(out[s.peer], s);
      out[s.peer].streams_sent += s.streams_sent;
    }
  }
  return out;
}

void CascadeWorker::on_cascade_packet(uint32_t link_id, CascadeKind kind, std::span<uint8_t> packet) {
  TimePoint now = Clock::now();
  for (auto& [name, room] : rooms_) {
    if (!room->serves(worker_.find_room(name))) continue;
    if (room->on_packet(link_id, kind, packet, now)) return;
  }
}

void CascadeWorker::on_tick() {
  TimePoint now = Clock::now();
  for (auto& [name, room] : rooms_)
    if (room->serves(worker_.find_room(name))) room->on_tick(now);
  if (++ticks_ % kHousekeepingTicks == 0) housekeeping(now);
}

// Once a second: links of silent peers close, and a cascade that has no
// one here and no peer left ends (the room then empties as any other).
void CascadeWorker::housekeeping(TimePoint now) {
  for (const auto& name : rooms()) {
    CascadeRoom* cascade = find(name);
    if (!cascade) continue;
    for (const auto& s : cascade->drop_silent_peers(now - kPeerSilence)) add(ended_[s.peer], s);
    if (cascade->peers().empty() && cascade->local_participants() == 0) rooms_.erase(name);
  }
}

}  // namespace ct::cascade
