#pragma once
// The stats endpoint's answer (GET /api/rooms/{room}/participants/{identity}/stats,
// docs/api.md): a ParticipantStats snapshot as JSON. Rendered on the HTTP
// thread from the value the room's worker took.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "net/SocketAddress.hpp"
#include "sfu/ParticipantStats.hpp"

namespace ct::signal {

class ParticipantStatsJson {
 public:
  // Whether an address is one of our TURN server's relay sockets.
  using RelayCheck = std::function<bool(const net::SocketAddress&)>;

  static nlohmann::json render(std::string_view room, const sfu::ParticipantStats& stats,
                               const RelayCheck& is_relay = {});
  // The ICE candidate type of the browser's end of a selected path, as far
  // as an ICE-lite server can tell from the address the checks came from
  // (the browser does not send its candidates): "relay" for one of our TURN
  // server's relay sockets (the browser reaches us through its allocation),
  // "host" for loopback, private and link-local addresses and this
  // machine's own, "srflx" for any other (a NAT's mapping, or a host with a
  // public address).
  static std::string_view candidate_type(const net::SocketAddress& remote, const RelayCheck& is_relay = {});
  // One track as render() lists it under "published" and "subscribed" (the get_stats reply uses them too).
  static nlohmann::json published_track(const sfu::PublishedTrackStats& track);
  static nlohmann::json subscribed_track(const sfu::SubscribedTrackStats& track);
};

}  // namespace ct::signal
