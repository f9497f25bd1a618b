#include "sfu/P2pRelay.hpp"

#include <algorithm>

#include "core/Log.hpp"
#include "sfu/Participant.hpp"
#include "sfu/RoomMembers.hpp"

namespace ct::sfu {

P2pRelay::P2pRelay(const RoomSettings& settings, Duration return_delay)
    : mesh_(settings.p2p, std::clamp<uint32_t>(settings.p2p_max, 2, 4), return_delay) {}

void P2pRelay::update(RoomMembers& room, bool recording, TimePoint now) {
  if (!mesh_.enabled()) return;
  std::vector<std::string> peers;
  bool forced_sfu = recording;
  for (const auto& p : room.members()) {
    // Only browser clients on /rtc can connect directly, and a hidden
    // participant (a recorder, a monitor) receives through the SFU.
    if (p->info().hidden || p->info().kind != "standard") forced_sfu = true;
    peers.push_back(p->identity());
  }
  const bool was_direct = mesh_.direct();
  if (mesh_.update(std::move(peers), forced_sfu, now)) {
    if (was_direct != mesh_.direct())
      spdlog::info("room {}: participants connect {}", room.room_name(),
                   mesh_.direct() ? "directly" : "through the SFU");
    announce(room, true);
  } else {
    announce(room, false);
  }
}

void P2pRelay::announce(RoomMembers& room, bool everyone) {
  if (everyone) told_.clear();
  for (const auto& p : room.members()) {
    if (std::find(told_.begin(), told_.end(), p->key()) != told_.end()) continue;
    told_.push_back(p->key());
    p->deliver(event::ConnectionMode{mesh_.direct(), mesh_.peers()});
  }
  // Keys of participants who left are dropped, so the list stays the room's size.
  if (told_.size() > room.members().size()) {
    std::erase_if(told_, [&](uint64_t key) {
      return std::none_of(room.members().begin(), room.members().end(),
                          [&](const auto& p) { return p->key() == key; });
    });
  }
}

void P2pRelay::tell(Participant& participant) const {
  if (mesh_.enabled()) participant.deliver(event::ConnectionMode{mesh_.direct(), mesh_.peers()});
}

void P2pRelay::handle(RoomMembers& room, const std::string& from, P2pSignal signal, bool recording,
                      TimePoint now) {
  Participant* sender = room.member(from);
  if (!sender) return;
  if (!mesh_.is_peer(from)) {
    sender->deliver(
        event::Error{"p2p_not_active", "room " + room.room_name() + " is not connecting directly"});
    return;
  }
  if (!mesh_.is_peer(signal.peer) || signal.peer == from) {
    sender->deliver(event::Error{"recipient_not_found", "not a direct peer in the room: " + signal.peer});
    return;
  }
  if (signal.kind == P2pSignal::Kind::failed) {
    if (mesh_.report_failure(from, signal.peer)) {
      spdlog::info("room {}: {} cannot reach {} directly; participants connect through the SFU",
                   room.room_name(), from, signal.peer);
      announce(room, true);
      update(room, recording, now);
    }
    return;
  }
  if (signal.sdp.size() > kMaxSdp || signal.candidate.candidate.size() > kMaxCandidate) {
    sender->deliver(event::Error{"bad_message", "the direct-connection message is too long"});
    return;
  }
  Participant* recipient = room.member(signal.peer);
  signal.peer = from;  // the recipient learns who it is from
  recipient->deliver(std::move(signal));
}

}  // namespace ct::sfu
