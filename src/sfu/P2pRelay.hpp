#pragma once
// A room's direct-connection (P2P) mode in action: keeps its P2pMesh fed
// with the room as it is, tells every participant the mode (event::
// ConnectionMode, on join and on every change), and passes participants'
// P2P signaling to the one peer it names. Works on the room's members
// (RoomMembers) on its worker thread; does nothing in a room without `p2p`.
#include <cstdint>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/P2pMesh.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::sfu {

class Participant;
class RoomMembers;

class P2pRelay {
 public:
  // How long a room that went through the SFU waits, eligible, before it goes direct again.
  static constexpr Duration kReturnDelay = seconds(5);
  static constexpr size_t kMaxSdp = 32 * 1024, kMaxCandidate = 1024;

  explicit P2pRelay(const RoomSettings& settings, Duration return_delay = kReturnDelay);

  // After joins and leaves, and on the room's tick: decides the mode and tells
  // whoever has not heard it yet.
  void update(RoomMembers& room, bool recording, TimePoint now);
  // A participant's P2P message. Errors to the sender: "p2p_not_active" (the
  // room is not in direct mode, or the sender is not in the mesh),
  // "recipient_not_found" (no such peer in the mesh), "bad_message" (too long).
  void handle(RoomMembers& room, const std::string& from, P2pSignal signal, bool recording, TimePoint now);

  // Tells `participant` the current mode again: its signaling connection was
  // replaced (a resume), and what went to the old one may never have arrived.
  void tell(Participant& participant) const;

  const P2pMesh& mesh() const { return mesh_; }

 private:
  void announce(RoomMembers& room, bool everyone);

  P2pMesh mesh_;
  std::vector<uint64_t> told_;  // participant keys that heard the current mode
};

}  // namespace ct::sfu
