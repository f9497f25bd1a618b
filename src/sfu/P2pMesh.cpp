#include "sfu/P2pMesh.hpp"

#include <algorithm>

namespace ct::sfu {

P2pMesh::P2pMesh(bool enabled, uint32_t max_peers, Duration return_delay)
    : enabled_(enabled), max_peers_(max_peers), return_delay_(return_delay), direct_(enabled) {}

bool P2pMesh::eligible(const std::vector<std::string>& peers, bool forced_sfu) const {
  return enabled_ && !forced_sfu && peers.size() <= max_peers_ &&
         (failed_members_.empty() || failed_members_ != peers);
}

bool P2pMesh::update(std::vector<std::string> peers, bool forced_sfu, TimePoint now) {
  if (!enabled_) return false;
  const bool membership_changed = peers != members_;
  members_ = std::move(peers);
  // A failure holds for the membership it was reported in; anyone coming or
  // going gives the mesh another try.
  if (membership_changed && failed_members_ != members_) failed_members_.clear();
  const bool can_go_direct = eligible(members_, forced_sfu);
  if (direct_) {
    if (!can_go_direct) {
      direct_ = false;
      eligible_since_.reset();
      return true;
    }
    return membership_changed;
  }
  if (!can_go_direct) {
    eligible_since_.reset();
    return false;
  }
  if (!eligible_since_) eligible_since_ = now;
  if (now - *eligible_since_ < return_delay_) return false;
  direct_ = true;
  eligible_since_.reset();
  return true;
}

bool P2pMesh::report_failure(const std::string& reporter, const std::string& peer) {
  if (!direct_ || reporter == peer || !is_peer(reporter) || !is_peer(peer)) return false;
  failed_members_ = members_;
  direct_ = false;
  eligible_since_.reset();
  return true;
}

const std::vector<std::string>& P2pMesh::peers() const { return direct_ ? members_ : no_peers_; }

bool P2pMesh::is_peer(const std::string& identity) const {
  return direct_ && std::find(members_.begin(), members_.end(), identity) != members_.end();
}

}  // namespace ct::sfu
