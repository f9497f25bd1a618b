// libFuzzer target for what the load client reads from a server: the SDP of
// an answer or offer (its transport, and the answer to a subscriber offer)
// and the signaling URL. Whatever it accepts must be usable: a transport
// with credentials, a fingerprint and an IPv4 candidate; an answer that
// parses; a URL with a host and a port.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "loadtest/ClientSdp.hpp"
#include "loadtest/WsUrl.hpp"
#include "sdp/SessionDescription.hpp"

using namespace ct::loadtest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  if (auto url = WsUrl::parse(text)) {
    if (url->host.empty() || url->port == 0 || url->path.empty() || url->path[0] != '/') abort();
  }

  RemoteTransport remote;
  if (!read_remote_transport(text, remote)) {
    if (remote.ice_ufrag.empty() || remote.ice_pwd.empty() || remote.fingerprint_value.empty()) abort();
    if (!remote.candidate.is_v4()) abort();
  }

  static const LocalTransport local{"fuzz", "0123456789abcdefghijkl", "AA:BB"};
  std::string answer;
  if (!answer_subscriber_offer(text, local, answer)) {
    if (!ct::sdp::SessionDescription::parse(answer)) abort();  // answers we write must be valid SDP
  }
  return 0;
}
