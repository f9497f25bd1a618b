#pragma once
// The end-to-end encryption key relay of one room: it passes each
// participant's signed key announcement to everyone and each wrapped sender
// key to its one recipient. It only moves opaque blobs; no key is ever seen
// here (docs/security.md).

#include <string>
#include <vector>

#include "sfu/RoomEvents.hpp"

namespace ct::sfu {

class Participant;
class RoomMembers;

class E2eeKeyRelay {
 public:
  E2eeKeyRelay(RoomMembers& room, bool e2ee_required) : room_(room), e2ee_required_(e2ee_required) {}

  void announce(const std::string& identity, std::string announcement);
  // Keys for someone not in the room are answered with "recipient_not_found".
  void relay_keys(const std::string& identity, std::vector<E2eeKeyEnvelope> keys);

 private:
  // The participant who may relay key material now: in the room, and the
  // room encrypted (a plain room tells the sender "e2ee_not_enabled").
  Participant* sender(const std::string& identity);

  RoomMembers& room_;
  bool e2ee_required_;
};

}  // namespace ct::sfu
