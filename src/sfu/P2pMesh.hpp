#pragma once
// Whether the participants of a P2P-enabled room connect to each other
// directly (a full mesh) or through the SFU (docs/protocol.md, "Direct
// connections"). Pure decision, no I/O: the room feeds it who is there and
// what forces the SFU, and announces what it decides.
//
// Rules: direct while the room has at most `max_peers` participants who can
// all take part, nothing is recorded, and no participant reported that ICE to
// a peer failed for the current membership. Leaving the mesh happens at once;
// coming back to it waits `return_delay` of the room being eligible, so a
// participant who drops in and out does not make everyone switch twice.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/Clock.hpp"

namespace ct::sfu {

class P2pMesh {
 public:
  P2pMesh(bool enabled, uint32_t max_peers, Duration return_delay);

  // The room now: the identities of its participants, in join order, and
  // whether anything forces the SFU (a recording, a participant that cannot
  // connect directly: hidden, or not a browser client). Returns true when the
  // mode or the peer list changed, so everyone must hear it.
  bool update(std::vector<std::string> peers, bool forced_sfu, TimePoint now);
  // A participant could not reach `peer` directly (ICE failed twice): the
  // room goes through the SFU until its membership changes. False when the
  // report does not apply (the room is not direct, or either is no peer).
  bool report_failure(const std::string& reporter, const std::string& peer);

  bool enabled() const { return enabled_; }
  bool direct() const { return direct_; }
  // In direct mode, who is in the mesh; empty in SFU mode.
  const std::vector<std::string>& peers() const;
  bool is_peer(const std::string& identity) const;

 private:
  bool eligible(const std::vector<std::string>& peers, bool forced_sfu) const;

  bool enabled_;
  uint32_t max_peers_;
  Duration return_delay_;
  bool direct_;
  std::vector<std::string> members_;         // as last seen
  std::vector<std::string> failed_members_;  // the membership a failure was reported for
  std::optional<TimePoint> eligible_since_;  // in SFU mode: since when the room could go direct
  std::vector<std::string> no_peers_;
};

}  // namespace ct::sfu
