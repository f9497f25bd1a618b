#pragma once
// An ICE candidate as SDP carries it (RFC 8839 §5.1):
//   candidate:<foundation> <component> <transport> <priority> <address> <port>
//             typ <type> [raddr <addr>] [rport <port>] *(<ext-name> <ext-value>)
// plus tcptype (RFC 6544 §4.5). Also used for trickled candidates.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sdp/Result.hpp"

namespace ct::sdp {

struct Candidate {
  std::string foundation;
  uint16_t component = 1;  // 1 = RTP (all of it, with rtcp-mux)
  std::string transport = "udp";
  uint32_t priority = 0;
  std::string address;  // IP literal or an mDNS name
  uint16_t port = 0;
  std::string type = "host";  // host, srflx, prflx, relay
  std::optional<std::string> related_address;
  std::optional<uint16_t> related_port;
  std::optional<std::string> tcp_type;  // active, passive, so
  std::vector<std::pair<std::string, std::string>> extensions;  // generation 0, network-id 1...

  // Accepts the attribute value with or without the "a=" and "candidate:" prefixes.
  static Result<Candidate> parse(std::string_view text);
  // "candidate:..." (without "a=").
  std::string to_string() const;

  bool operator==(const Candidate&) const = default;
};

}  // namespace ct::sdp
