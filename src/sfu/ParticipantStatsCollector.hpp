#pragma once
// Takes a ParticipantStats snapshot of one participant: its connections,
// the tracks it publishes (per simulcast layer) and the ones it receives.
// Runs on the room's worker thread and only reads.
#include "core/Clock.hpp"
#include "sfu/ParticipantStats.hpp"

namespace ct::sfu {

class Participant;

class ParticipantStatsCollector {
 public:
  static ParticipantStats collect(const Participant& participant, TimePoint now);
};

}  // namespace ct::sfu
