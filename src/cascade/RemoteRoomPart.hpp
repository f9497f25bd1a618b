#pragma once
// What one other node serving a room has told this node of its part of the
// room: its participants and their tracks. Each control message states one
// participant or track as it is now; apply() keeps the latest and says what
// changed, in the order the local room must announce it (a participant
// that leaves first loses its tracks). A peer cannot make this grow without
// bound, announce a track for someone it never announced, or move a track
// to another participant.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cascade/CascadeMessage.hpp"

namespace ct::cascade {

class RemoteRoomPart {
 public:
  static constexpr size_t kMaxParticipants = 1000;
  static constexpr size_t kMaxTracks = 4000;

  struct Change {
    enum class Kind {
      participant_joined,
      participant_updated,  // name or metadata
      participant_left,
      track_published,
      track_changed,  // muted, or SSRCs the origin learned
      track_unpublished,
    };
    Kind kind;
    std::string identity;  // the participant (for a track: its publisher)
    std::string sid;       // the track's; empty for a participant's change
    bool operator==(const Change&) const = default;
  };

  // Participant and track messages; a want message is not about this part (nothing changes).
  std::vector<Change> apply(const CascadeMessage& message);
  // The node left the room or died: every track goes, then every participant.
  std::vector<Change> clear();

  const CascadeParticipant* participant(std::string_view identity) const;
  const CascadeTrack* track(std::string_view sid) const;
  size_t participant_count() const { return participants_.size(); }
  size_t track_count() const { return tracks_.size(); }

 private:
  std::vector<Change> apply_participant(const CascadeParticipant& p);
  std::vector<Change> apply_track(const CascadeTrack& t);
  void remove_tracks_of(const std::string& identity, std::vector<Change>& changes);

  std::map<std::string, CascadeParticipant, std::less<>> participants_;
  std::map<std::string, CascadeTrack, std::less<>> tracks_;
};

}  // namespace ct::cascade
