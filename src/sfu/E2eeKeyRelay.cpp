#include "sfu/E2eeKeyRelay.hpp"

#include "sfu/Participant.hpp"
#include "sfu/RoomMembers.hpp"

namespace ct::sfu {

Participant* E2eeKeyRelay::sender(const std::string& identity) {
  Participant* p = room_.member(identity);
  if (p && !e2ee_required_) {
    p->deliver(
        event::Error{"e2ee_not_enabled", "room " + room_.room_name() + " is not end-to-end encrypted"});
    return nullptr;
  }
  return p;
}

void E2eeKeyRelay::announce(const std::string& identity, std::string announcement) {
  Participant* p = sender(identity);
  if (!p) return;
  p->set_e2ee_announcement(announcement);
  room_.announce(p, event::E2eeAnnounce{identity, std::move(announcement)});
}

void E2eeKeyRelay::relay_keys(const std::string& identity, std::vector<E2eeKeyEnvelope> keys) {
  Participant* p = sender(identity);
  if (!p) return;
  std::string missing;
  for (auto& key : keys) {
    Participant* to = key.to == identity ? nullptr : room_.member(key.to);
    if (!to) {
      missing += (missing.empty() ? "" : ", ") + key.to;
      continue;
    }
    to->deliver(event::E2eeKey{identity, std::move(key.blob)});
  }
  if (!missing.empty()) p->deliver(event::Error{"recipient_not_found", "not in the room: " + missing});
}

}  // namespace ct::sfu
