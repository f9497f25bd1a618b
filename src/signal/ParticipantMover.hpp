#pragma once
// Moves a participant from one room to another without it leaving the call
// (docs/protocol.md "move"): mints a fresh access token for the target room
// (the same identity, name, metadata and grants; only the room differs)
// with the server's own key, sends it `move`, and takes it out of the old
// room once it has joined the new one, or after a timeout. Breakout rooms
// and the room service API's move both come here; scale-out's redirect and
// drain send the same message with a `url`.
//
// Knows every joined /rtc connection by room and identity. Thread-safe: the
// signaling connections and the API call it from their own threads; the
// lock guards bookkeeping only, never the media path.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sfu/RoomEvents.hpp"
#include "signal/AccessToken.hpp"
#include "signal/MovableSession.hpp"

namespace ct::signal {

struct MoveRequest {
  std::string from_room, identity, to_room;
  std::string reason;  // "breakout", "return", "redirect", "drain"
  std::string url;     // the /rtc URL of the server hosting to_room; empty: this one
};

class ParticipantMover {
 public:
  // A moved participant's token is valid this long at most (and never
  // longer than the token it replaces): long enough to resume after a
  // network change in the new room, short if it leaks.
  static constexpr std::chrono::seconds kMaxTokenLifetime{3600};

  // Without a signer (no API key configured) nothing can be moved: "move_unavailable".
  explicit ParticipantMover(std::optional<AccessTokenSigner> signer);

  // The claims of the token a moved participant gets: `original` for `room`.
  static AccessTokenClaims claims_for_move(const AccessTokenClaims& original, const std::string& room,
                                           std::chrono::system_clock::time_point now);

  // A connection joined `room` (the room accepted it) / is gone. A join that
  // completes a move takes the participant out of the room it came from.
  void joined(const std::string& room, const AccessTokenClaims& claims,
              std::weak_ptr<MovableSession> session);
  void left(const std::string& room, const std::string& identity, const MovableSession* session);

  // Errors: "participant_not_found" (no /rtc participant of that identity in
  // from_room), "already_in_room", "move_unavailable".
  std::optional<sfu::event::Error> move(const MoveRequest& request);

  // Drain (docs/operations.md, "Scale-out"): everyone connected to `room`
  // here goes to the same room on the node at `url` (reason "drain").
  // Returns how many were sent.
  size_t move_room_to_node(const std::string& room, const std::string& url);

  // Breakout rooms of `main` (the checks of BreakoutRooms; errors in
  // docs/protocol.md). Open returns the full names of the rooms to create.
  std::variant<std::vector<std::string>, sfu::event::Error> open_breakouts(
      const std::string& main, const std::vector<std::string>& names);
  // Moves `identity` (in `main` or one of its open breakout rooms) into
  // breakout `name`, or back to `main` when `name` is empty.
  std::optional<sfu::event::Error> move_to_breakout(const std::string& main, const std::string& identity,
                                                    const std::string& name);
  // Calls everyone in a breakout room back to `main` (reason "return").
  std::optional<sfu::event::Error> close_breakouts(const std::string& main);
  // The identities (hidden ones left out) connected to `room`, in join order.
  std::vector<std::string> members(const std::string& room) const;

 private:
  struct Entry {
    AccessTokenClaims claims;
    std::weak_ptr<MovableSession> session;
    uint64_t order = 0;
    std::string moving_to;  // set while a move to that room is under way
  };
  using Key = std::pair<std::string, std::string>;  // room, identity

  std::vector<std::string> members_locked(const std::string& room) const;
  // breakout_state for everyone in `main` and its breakout rooms, while
  // breakout rooms are open (or `closed`: they just closed).
  void broadcast_state_locked(const std::string& main, std::vector<std::shared_ptr<MovableSession>>& to,
                              std::string& message, bool closed = false) const;
  static void send_all(const std::vector<std::shared_ptr<MovableSession>>& to, const std::string& message);
  std::optional<sfu::event::Error> move_locked(
      const MoveRequest& request,
      std::vector<std::pair<std::shared_ptr<MovableSession>, std::string>>& moves);

  std::optional<AccessTokenSigner> signer_;
  mutable std::mutex mutex_;
  std::map<Key, Entry> entries_;
  uint64_t next_order_ = 0;
  std::map<std::string, std::vector<std::string>> breakouts_;  // main room -> open breakout names
};

}  // namespace ct::signal
