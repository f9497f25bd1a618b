#include "ice/RemoteCandidates.hpp"

#include <algorithm>

namespace ct::ice {

std::string_view to_string(CandidateType type) {
  switch (type) {
    case CandidateType::host:
      return "host";
    case CandidateType::srflx:
      return "srflx";
    case CandidateType::prflx:
      return "prflx";
    case CandidateType::relay:
      return "relay";
  }
  return "host";
}

std::optional<CandidateType> candidate_type_from(std::string_view text) {
  for (auto type : {CandidateType::host, CandidateType::srflx, CandidateType::prflx, CandidateType::relay}) {
    if (text == to_string(type)) return type;
  }
  return std::nullopt;
}

void RemoteCandidates::add(const net::SocketAddress& address, CandidateType type) {
  const net::SocketAddress key = address.unmapped();
  auto same = [&](const Candidate& c) { return c.address == key; };
  if (auto it = std::find_if(candidates_.begin(), candidates_.end(), same); it != candidates_.end()) {
    it->type = type;
    return;
  }
  if (candidates_.size() == kMaxCandidates) candidates_.erase(candidates_.begin());
  candidates_.push_back({key, type});
}

CandidateType RemoteCandidates::type_of(const net::SocketAddress& remote) const {
  const net::SocketAddress key = remote.unmapped();
  for (const auto& c : candidates_) {
    if (c.address == key) return c.type;
  }
  return CandidateType::prflx;
}

}  // namespace ct::ice
