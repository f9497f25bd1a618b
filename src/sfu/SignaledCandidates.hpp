#pragma once
// The ICE candidates a client signals for one of its connections, in the
// candidate lines of its offer or answer (RFC 8839 §5.1) or one at a time by
// trickle, handed to that connection's transport. The server is ICE-lite and
// never checks them: they only name the selected path's candidate type
// (a check from an address nobody signaled is peer-reflexive, RFC 8445
// §7.3.1.3). Malformed candidates are skipped; they cost nothing else.
#include <cstddef>
#include <optional>
#include <string_view>

namespace ct::sfu {

class Participant;

class SignaledCandidates {
 public:
  enum class Connection { publisher, subscriber };

  // "publisher" or "subscriber", the `target` of a trickle; nullopt otherwise.
  static std::optional<Connection> connection_named(std::string_view target);

  // Each a=candidate line of `sdp` (session or media level); how many were kept.
  static size_t add_from_description(Participant& participant, Connection connection, std::string_view sdp);
  // One trickled candidate attribute ("candidate:..." with or without "a=");
  // false when it is malformed, not one we keep (TCP, an mDNS name), or
  // the connection does not exist yet.
  static bool add_trickled(Participant& participant, Connection connection, std::string_view attribute);
};

}  // namespace ct::sfu
