#include "cascade/RemoteRoomPart.hpp"

namespace ct::cascade {

using Kind = RemoteRoomPart::Change::Kind;

std::vector<RemoteRoomPart::Change> RemoteRoomPart::apply(const CascadeMessage& message) {
  if (auto* p = std::get_if<CascadeParticipant>(&message)) return apply_participant(*p);
  if (auto* t = std::get_if<CascadeTrack>(&message)) return apply_track(*t);
  return {};
}

std::vector<RemoteRoomPart::Change> RemoteRoomPart::apply_participant(const CascadeParticipant& p) {
  std::vector<Change> changes;
  auto it = participants_.find(p.identity);
  if (!p.present) {
    if (it == participants_.end()) return changes;
    remove_tracks_of(p.identity, changes);
    participants_.erase(it);
    changes.push_back({Kind::participant_left, p.identity, {}});
    return changes;
  }
  if (it == participants_.end()) {
    if (participants_.size() >= kMaxParticipants) return changes;
    participants_.emplace(p.identity, p);
    changes.push_back({Kind::participant_joined, p.identity, {}});
  } else if (it->second != p) {
    it->second = p;
    changes.push_back({Kind::participant_updated, p.identity, {}});
  }
  return changes;
}

std::vector<RemoteRoomPart::Change> RemoteRoomPart::apply_track(const CascadeTrack& t) {
  std::vector<Change> changes;
  auto it = tracks_.find(t.sid);
  if (it != tracks_.end() && it->second.participant != t.participant) return changes;
  if (!t.published) {
    if (it == tracks_.end()) return changes;
    tracks_.erase(it);
    changes.push_back({Kind::track_unpublished, t.participant, t.sid});
    return changes;
  }
  if (!participants_.contains(t.participant)) return changes;
  if (it == tracks_.end()) {
    if (tracks_.size() >= kMaxTracks) return changes;
    tracks_.emplace(t.sid, t);
    changes.push_back({Kind::track_published, t.participant, t.sid});
  } else if (it->second != t) {
    it->second = t;
    changes.push_back({Kind::track_changed, t.participant, t.sid});
  }
  return changes;
}

void RemoteRoomPart::remove_tracks_of(const std::string& identity, std::vector<Change>& changes) {
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    if (it->second.participant == identity) {
      changes.push_back({Kind::track_unpublished, identity, it->first});
      it = tracks_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<RemoteRoomPart::Change> RemoteRoomPart::clear() {
  std::vector<Change> changes;
  for (const auto& [identity, p] : participants_) remove_tracks_of(identity, changes);
  for (const auto& [identity, p] : participants_) changes.push_back({Kind::participant_left, identity, {}});
  participants_.clear();
  return changes;
}

const CascadeParticipant* RemoteRoomPart::participant(std::string_view identity) const {
  auto it = participants_.find(identity);
  return it == participants_.end() ? nullptr : &it->second;
}

const CascadeTrack* RemoteRoomPart::track(std::string_view sid) const {
  auto it = tracks_.find(sid);
  return it == tracks_.end() ? nullptr : &it->second;
}

}  // namespace ct::cascade
