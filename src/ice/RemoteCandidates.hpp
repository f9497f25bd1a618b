#pragma once
// The candidates the peer signaled for one ICE session (in its SDP and by
// trickle), kept so the selected path can be named by its remote candidate's
// type. An ICE-lite agent never checks them; it only needs to know which
// address each one stands for. Bounded: the oldest is forgotten first.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "net/SocketAddress.hpp"

namespace ct::ice {

enum class CandidateType { host, srflx, prflx, relay };

std::string_view to_string(CandidateType type);
// "host", "srflx", "prflx", "relay" (RFC 8839 §5.1 cand-type); nullopt for anything else.
std::optional<CandidateType> candidate_type_from(std::string_view text);

class RemoteCandidates {
 public:
  // A browser signals a few per interface and server (host, srflx, relay,
  // each over UDP and TCP); more than this is not a real peer.
  static constexpr size_t kMaxCandidates = 32;

  // Remembers (or re-types) the candidate at `address`.
  void add(const net::SocketAddress& address, CandidateType type);
  size_t size() const { return candidates_.size(); }

  // The type of the candidate a check came from: the signaled candidate's
  // type when one has this address and port, else prflx, the type a check
  // from an unsignaled address has (RFC 8445 §7.3.1.3).
  CandidateType type_of(const net::SocketAddress& remote) const;

 private:
  struct Candidate {
    net::SocketAddress address;
    CandidateType type;
  };
  std::vector<Candidate> candidates_;
};

}  // namespace ct::ice
