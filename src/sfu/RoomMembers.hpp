#pragma once
// What acting on a room from outside the call (RoomAdministration: the room
// service API) needs of the room's insides: its participants and the steps
// the Room already takes for them. Implemented by Room's internals; called
// on the room's worker thread.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::sfu {

class Participant;
class Publication;

class RoomMembers {
 public:
  virtual ~RoomMembers() = default;
  virtual const std::string& room_name() const = 0;
  virtual const std::vector<std::unique_ptr<Participant>>& members() const = 0;
  virtual Participant* member(std::string_view identity) = 0;
  // To everyone but `except` (null: everyone).
  virtual void announce(const Participant* except, const RoomEvent& event) = 0;
  // Takes `publication` of `owner` out of every subscription; adds whose connection changed to `changed`.
  virtual void withdraw(Participant& owner, Publication& publication, std::vector<Participant*>& changed) = 0;
  // Sends `p` a new subscriber offer (or marks one due after the pending answer).
  virtual void offer_again(Participant& p, TimePoint now) = 0;
  // Removes `p`: its tracks go, the others see it leave with `reason`.
  virtual void remove_member(Participant& p, std::string_view reason, TimePoint now) = 0;
};

}  // namespace ct::sfu
