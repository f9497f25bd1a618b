#pragma once
// The server side of one ICE session (one PeerConnection) as an ICE-lite agent
// (RFC 8445 §2.5): it never sends checks, only answers the browser's, and is
// always in the controlled role. Consent freshness (RFC 7675) is judged from
// the browser's checks on the selected path. No timers: time is passed in.
//
// Request handling (RFC 8445 §7.3 with RFC 8489 §6.3 and §9.1.3):
//  - not a Binding request, or a FINGERPRINT that does not verify: Ignored, nothing written
//    (§7.3 / RFC 7983: it is not a check for us);
//  - no USERNAME or no MESSAGE-INTEGRITY: 400 Bad Request;
//  - USERNAME not "<local ufrag>:..." or MESSAGE-INTEGRITY not valid under the
//    local password: 401 Unauthenticated.
//    These are answered, not dropped, because Chromium treats 401 as a
//    recoverable error and keeps checking, which matters right after an ICE
//    restart; the answers are no larger than the request, so no amplification.
//    They carry FINGERPRINT but no MESSAGE-INTEGRITY (§9.1.3: there is no key);
//  - ICE-CONTROLLED present (both sides claim controlled; a lite agent
//    cannot switch): 487 Role Conflict (§7.3.1.1);
//  - unknown comprehension-required attributes: 420 (RFC 8489 §6.3.1.1);
//  - otherwise: Binding success with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
// Authenticated error responses (420, 487) carry MESSAGE-INTEGRITY too.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "ice/RemoteCandidates.hpp"
#include "net/SocketAddress.hpp"

namespace ct::stun {
class StunMessage;
}

namespace ct::ice {

class IceLiteAgent {
 public:
  enum class Outcome {
    Ignored,    // nothing written to `response`
    Rejected,   // an error response was written to `response`
    Responded,  // a Binding success response was written to `response`
  };

  static constexpr Duration kDefaultConsentTimeout = seconds(30);  // RFC 7675 §5.1
  static constexpr size_t kMaxValidatedAddresses = 8;

  // ufrag: 4..256 ice-chars, pwd: 22..256 ice-chars (RFC 8839 §5.4). Throws
  // std::invalid_argument otherwise.
  IceLiteAgent(std::string local_ufrag, std::string local_pwd);
  static IceLiteAgent with_random_credentials();

  const std::string& local_ufrag() const { return current_.ufrag; }
  const std::string& local_pwd() const { return current_.pwd; }
  const std::string& remote_ufrag() const { return remote_ufrag_; }
  const std::string& remote_pwd() const { return remote_pwd_; }

  // From the remote SDP, also after an ICE restart. A lite agent never sends
  // checks, so the remote password is kept for completeness only.
  void set_remote_credentials(std::string ufrag, std::string pwd);

  // ICE restart (RFC 8445 §9) with new local credentials. The selected path
  // and consent stay; checks with the previous credentials are still answered
  // until the first valid check with the new ones arrives.
  void restart(std::string new_local_ufrag, std::string new_local_pwd);
  void restart_with_random_credentials();

  // Handles a STUN message that arrived from `from` (see the procedure above).
  // `response` is overwritten; its capacity is reused.
  Outcome handle_binding_request(const stun::StunMessage& request, const net::SocketAddress& from,
                                 TimePoint now, std::vector<uint8_t>& response);

  // The address of the latest valid check that carried USE-CANDIDATE: it
  // follows the browser to a new address after NAT rebinding.
  std::optional<net::SocketAddress> selected_address() const { return selected_; }
  // What the peer signaled (SDP and trickle), and the type of the selected
  // path's remote candidate by it (prflx when unsignaled); nullopt before a nomination.
  RemoteCandidates& remote_candidates() { return remote_candidates_; }
  std::optional<CandidateType> selected_candidate_type() const {
    return selected_ ? std::optional(remote_candidates_.type_of(*selected_)) : std::nullopt;
  }
  // Selected and consent fresh.
  bool is_connected(TimePoint now) const { return selected_.has_value() && !consent_expired(now); }
  // No valid check from the selected address for the consent timeout. False before any nomination.
  bool consent_expired(TimePoint now) const;
  void set_consent_timeout(Duration timeout) { consent_timeout_ = timeout; }
  Duration consent_timeout() const { return consent_timeout_; }

  // Addresses that passed a check recently (the last kMaxValidatedAddresses;
  // ones silent for longer than the consent timeout are forgotten, except the
  // selected one). Non-STUN packets are accepted only from these.
  bool is_validated_address(const net::SocketAddress& address) const;

  // The part of a request's USERNAME before ':', that is the ufrag of the
  // agent it is for. The server routes checks arriving on its one UDP port by
  // it. nullopt without USERNAME or ':'.
  static std::optional<std::string_view> local_ufrag_of(const stun::StunMessage& request);

 private:
  struct Credentials {
    std::string ufrag;
    std::string pwd;
  };
  struct ValidatedAddress {
    net::SocketAddress address;
    TimePoint last_check;
  };

  static void check_credentials(const std::string& ufrag, const std::string& pwd);
  void remember_validated(const net::SocketAddress& address, TimePoint now);

  Credentials current_;
  std::optional<Credentials> previous_;  // until the first check on `current_` after a restart
  std::string remote_ufrag_;
  std::string remote_pwd_;
  std::optional<net::SocketAddress> selected_;
  TimePoint last_consent_{};
  Duration consent_timeout_ = kDefaultConsentTimeout;
  std::vector<ValidatedAddress> validated_;
  RemoteCandidates remote_candidates_;
};

}  // namespace ct::ice
