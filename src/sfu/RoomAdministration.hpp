#pragma once
// What an administrator does to a room through the room service API
// (docs/api.md): list, remove, mute, change permissions, send data from the
// server. Works on the room's members (RoomMembers) on its worker thread;
// Room's public calls of the same names come here.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/ParticipantStats.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::sfu {

class RoomMembers;
struct ParticipantUpdate;

class RoomAdministration {
 public:
  explicit RoomAdministration(RoomMembers& room) : room_(room) {}

  std::vector<ParticipantState> participants() const;
  bool remove_participant(const std::string& identity, std::string_view reason);
  std::optional<event::Error> mute_track(const std::string& identity, const std::string& track_sid,
                                         bool muted);
  std::optional<event::Error> update_participant(const std::string& identity,
                                                 const ParticipantUpdate& update);
  size_t send_server_data(std::string_view topic, std::span<const uint8_t> payload,
                          const std::vector<std::string>& destinations, bool reliable);
  // A snapshot of one participant's media, nullopt when it is not in the room.
  std::optional<ParticipantStats> participant_stats(const std::string& identity, TimePoint now);

 private:
  event::Error participant_not_found(const std::string& identity) const;

  RoomMembers& room_;
};

}  // namespace ct::sfu
