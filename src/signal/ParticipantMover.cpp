#include "signal/ParticipantMover.hpp"

#include <algorithm>

#include "core/Log.hpp"
#include "signal/BreakoutRooms.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::signal {

namespace {

sfu::event::Error not_found(const std::string& identity, const std::string& room) {
  return {"participant_not_found", "no participant " + identity + " in room " + room};
}

}  // namespace

ParticipantMover::ParticipantMover(std::optional<AccessTokenSigner> signer) : signer_(std::move(signer)) {}

AccessTokenClaims ParticipantMover::claims_for_move(const AccessTokenClaims& original,
                                                    const std::string& room,
                                                    std::chrono::system_clock::time_point now) {
  AccessTokenClaims claims = original;
  claims.grants.room = room;
  claims.not_before = {};
  claims.issued_at = {};
  const std::chrono::system_clock::time_point latest =
      std::chrono::time_point_cast<std::chrono::seconds>(now) + kMaxTokenLifetime;
  claims.expires = std::min(original.expires, latest);
  return claims;
}

void ParticipantMover::joined(const std::string& room, const AccessTokenClaims& claims,
                              std::weak_ptr<MovableSession> session) {
  std::vector<std::shared_ptr<MovableSession>> finished, to;
  std::string state;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, entry] : entries_) {
      if (key.second != claims.identity || entry.moving_to != room || key.first == room) continue;
      entry.moving_to.clear();
      if (auto s = entry.session.lock()) finished.push_back(std::move(s));
    }
    entries_[{room, claims.identity}] = Entry{claims, std::move(session), next_order_++, {}};
    broadcast_state_locked(BreakoutRooms::main_room(room), to, state);
  }
  for (auto& s : finished) s->moved_away();
  send_all(to, state);
}

void ParticipantMover::left(const std::string& room, const std::string& identity,
                            const MovableSession* session) {
  std::vector<std::shared_ptr<MovableSession>> to;
  std::string state;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find({room, identity});
    // Only the connection registered last speaks for the participant (a resume replaces it).
    if (it == entries_.end()) return;
    auto current = it->second.session.lock();
    if (current && current.get() != session) return;
    entries_.erase(it);
    broadcast_state_locked(BreakoutRooms::main_room(room), to, state);
  }
  send_all(to, state);
}

std::optional<sfu::event::Error> ParticipantMover::move(const MoveRequest& request) {
  std::vector<std::pair<std::shared_ptr<MovableSession>, std::string>> moves;
  std::optional<sfu::event::Error> error;
  {
    std::lock_guard lock(mutex_);
    error = move_locked(request, moves);
  }
  for (auto& [session, message] : moves) session->send_move(std::move(message));
  return error;
}

std::optional<sfu::event::Error> ParticipantMover::move_locked(
    const MoveRequest& r, std::vector<std::pair<std::shared_ptr<MovableSession>, std::string>>& moves) {
  if (!signer_) return sfu::event::Error{"move_unavailable", "the server has no API key to sign tokens with"};
  auto it = entries_.find({r.from_room, r.identity});
  if (it == entries_.end()) return not_found(r.identity, r.from_room);
  if (r.from_room == r.to_room && r.url.empty())
    return sfu::event::Error{"already_in_room", r.identity + " is in room " + r.to_room + " already"};
  auto session = it->second.session.lock();
  if (!session) return not_found(r.identity, r.from_room);
  const std::string token =
      signer_->sign(claims_for_move(it->second.claims, r.to_room, std::chrono::system_clock::now()));
  it->second.moving_to = r.to_room;
  spdlog::info("rtc: moving {} from '{}' to '{}' ({}){}", r.identity, r.from_room, r.to_room, r.reason,
               r.url.empty() ? "" : " at " + r.url);
  moves.emplace_back(std::move(session), serialize_move(r.to_room, token, r.url, r.reason));
  return std::nullopt;
}

size_t ParticipantMover::move_room_to_node(const std::string& room, const std::string& url) {
  std::vector<std::pair<std::shared_ptr<MovableSession>, std::string>> moves;
  {
    std::lock_guard lock(mutex_);
    std::vector<std::string> identities;
    for (auto it = entries_.lower_bound({room, {}}); it != entries_.end() && it->first.first == room; ++it)
      identities.push_back(it->first.second);  // hidden ones too: the room closes here
    for (const auto& identity : identities) move_locked({room, identity, room, "drain", url}, moves);
  }
  for (auto& [session, message] : moves) session->send_move(std::move(message));
  return moves.size();
}

std::variant<std::vector<std::string>, sfu::event::Error> ParticipantMover::open_breakouts(
    const std::string& main, const std::vector<std::string>& names) {
  if (auto error = BreakoutRooms::check_open(main, names)) return *error;
  std::vector<std::string> rooms;
  for (const auto& name : names) rooms.push_back(BreakoutRooms::room_name(main, name));
  std::vector<std::shared_ptr<MovableSession>> to;
  std::string state;
  {
    std::lock_guard lock(mutex_);
    // Opening again adds rooms: the ones already open stay, with whoever is in them.
    auto& open = breakouts_[main];
    for (const auto& name : names)
      if (std::find(open.begin(), open.end(), name) == open.end()) open.push_back(name);
    if (open.size() > BreakoutRooms::kMaxRooms) {
      open.resize(open.size() - names.size());
      return sfu::event::Error{"bad_breakout_name", "at most 16 breakout rooms are open at once"};
    }
    broadcast_state_locked(main, to, state);
  }
  send_all(to, state);
  return rooms;
}

std::optional<sfu::event::Error> ParticipantMover::move_to_breakout(const std::string& main,
                                                                    const std::string& identity,
                                                                    const std::string& name) {
  std::vector<std::pair<std::shared_ptr<MovableSession>, std::string>> moves;
  std::optional<sfu::event::Error> error;
  {
    std::lock_guard lock(mutex_);
    auto open = breakouts_.find(main);
    if (open == breakouts_.end())
      return sfu::event::Error{"breakouts_not_open", "no breakout rooms are open"};
    if (!name.empty() && std::find(open->second.begin(), open->second.end(), name) == open->second.end())
      return sfu::event::Error{"breakout_not_found", "no breakout room " + name.substr(0, 64) + " is open"};
    // Where the participant is now: the main room or one of its breakout rooms.
    std::string from;
    if (entries_.count({main, identity})) from = main;
    for (const auto& b : open->second)
      if (from.empty() && entries_.count({BreakoutRooms::room_name(main, b), identity}))
        from = BreakoutRooms::room_name(main, b);
    if (from.empty()) return not_found(identity, main);
    const std::string to = name.empty() ? main : BreakoutRooms::room_name(main, name);
    error = move_locked({from, identity, to, name.empty() ? "return" : "breakout", {}}, moves);
  }
  for (auto& [session, message] : moves) session->send_move(std::move(message));
  return error;
}

std::optional<sfu::event::Error> ParticipantMover::close_breakouts(const std::string& main) {
  std::vector<std::pair<std::shared_ptr<MovableSession>, std::string>> moves;
  std::vector<std::shared_ptr<MovableSession>> to;
  std::string state;
  {
    std::lock_guard lock(mutex_);
    auto open = breakouts_.find(main);
    if (open == breakouts_.end())
      return sfu::event::Error{"breakouts_not_open", "no breakout rooms are open"};
    for (const auto& b : open->second) {
      const std::string room = BreakoutRooms::room_name(main, b);
      for (const auto& identity : members_locked(room))
        move_locked({room, identity, main, "return", {}}, moves);
      // Hidden participants (recorders) are not called back: they follow nobody.
    }
    breakouts_.erase(open);
    broadcast_state_locked(main, to, state, /*closed=*/true);
  }
  for (auto& [session, message] : moves) session->send_move(std::move(message));
  send_all(to, state);
  return std::nullopt;
}

std::vector<std::string> ParticipantMover::members(const std::string& room) const {
  std::lock_guard lock(mutex_);
  return members_locked(room);
}

std::vector<std::string> ParticipantMover::members_locked(const std::string& room) const {
  std::vector<std::pair<uint64_t, std::string>> found;
  for (auto it = entries_.lower_bound({room, {}}); it != entries_.end() && it->first.first == room; ++it)
    if (!it->second.claims.grants.hidden) found.emplace_back(it->second.order, it->first.second);
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

void ParticipantMover::broadcast_state_locked(const std::string& main,
                                              std::vector<std::shared_ptr<MovableSession>>& to,
                                              std::string& message, bool closed) const {
  std::vector<BreakoutRoomState> rooms;
  std::vector<std::string> everywhere{main};
  if (auto open = breakouts_.find(main); open != breakouts_.end()) {
    for (const auto& b : open->second) {
      const std::string room = BreakoutRooms::room_name(main, b);
      rooms.push_back({b, room, members_locked(room)});
      everywhere.push_back(room);
    }
  } else if (!closed) {
    return;  // no breakout rooms: nothing to tell
  }
  message = serialize_breakout_state(main, rooms);
  for (const auto& room : everywhere)
    for (auto it = entries_.lower_bound({room, {}}); it != entries_.end() && it->first.first == room; ++it)
      if (auto s = it->second.session.lock()) to.push_back(std::move(s));
}

void ParticipantMover::send_all(const std::vector<std::shared_ptr<MovableSession>>& to,
                                const std::string& message) {
  for (const auto& s : to) s->send_text(message);
}

}  // namespace ct::signal
