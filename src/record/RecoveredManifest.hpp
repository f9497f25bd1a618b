#pragma once
// `ciphertalk recover`'s manifest: when a recording's manifest.json is
// missing, unreadable or says the recording never stopped (the server died
// while it ran), a complete one from what the raw RTP dumps say. What the
// old manifest knew (room, who started it, tracks' participants and
// sources, whether the room was encrypted) is kept; each dump adds or
// completes its track (codec, first packet, packets, file), and the
// recording's stop is its last packet's arrival. Marked "recovered": true.
#include <optional>
#include <string>
#include <vector>

#include "record/Recovery.hpp"

namespace ct::record {

struct RecoveredManifest {
  bool needed = false;  // the old manifest is complete: leave it
  std::string reason;   // why a new one is needed
  std::string text;     // the new manifest.json

  // `old_text`: the manifest.json as it is, none if missing. `room` and
  // `id` (the folder's names) are used when the old manifest has none.
  static RecoveredManifest make(const std::optional<std::string>& old_text, const std::string& room,
                                const std::string& id, const std::vector<RecoveredTrack>& tracks);
};

}  // namespace ct::record
