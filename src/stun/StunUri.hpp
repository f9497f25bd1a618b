#pragma once
// STUN and TURN server URIs as browsers take them in RTCIceServer.urls:
//   stun:host[:port]      stuns:host[:port]                       (RFC 7064 §3.1)
//   turn:host[:port][?transport=udp|tcp]   turns:host[:port][?transport=tcp]   (RFC 7065 §3.1)
// host is a DNS name, an IPv4 address or a bracketed IPv6 literal. The
// parser is strict: whatever it accepts, a browser's RTCPeerConnection takes
// too, so a typo in the server's configuration fails at start, not in calls.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace ct::stun {

class StunUri {
 public:
  enum class Scheme : uint8_t { Stun, Stuns, Turn, Turns };
  // Default: the URI names none (TURN: UDP for turn:, TCP for turns:).
  enum class Transport : uint8_t { Default, Udp, Tcp };

  // The URI, or why it is not one (a sentence for the operator).
  static std::variant<StunUri, std::string> parse(std::string_view text);

  Scheme scheme() const { return scheme_; }
  bool is_turn() const { return scheme_ == Scheme::Turn || scheme_ == Scheme::Turns; }
  bool is_secure() const { return scheme_ == Scheme::Stuns || scheme_ == Scheme::Turns; }
  const std::string& host() const { return host_; }  // IPv6 without brackets
  uint16_t port() const { return port_; }            // the scheme's default when none is given
  bool has_port() const { return has_port_; }
  Transport transport() const { return transport_; }

  // The normalised URI (lower-case scheme, host and transport).
  std::string to_string() const;

  // RFC 7064 §3.2 / RFC 7065 §3.2: 3478, or 5349 over TLS.
  static constexpr uint16_t kDefaultPort = 3478;
  static constexpr uint16_t kDefaultTlsPort = 5349;
  static constexpr size_t kMaxLength = 512;

 private:
  Scheme scheme_ = Scheme::Stun;
  std::string host_;
  uint16_t port_ = kDefaultPort;
  bool has_port_ = false;
  Transport transport_ = Transport::Default;
};

}  // namespace ct::stun
