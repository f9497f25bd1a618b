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
  // The ICE candidate type of the browser's end of a connection's selected
  // path, null before there is one: "relay" when the checks come from one of
  // our TURN server's relay sockets (we know our own), else the type of the
  // candidate the browser signaled at that address, and "prflx" when it
  // signaled none there (RFC 8445 §7.3.1.3: a NAT's mapping the browser did
  // not learn, or a host address hidden behind an mDNS name).
  static nlohmann::json candidate_type(const sfu::ConnectionStats& connection,
                                       const RelayCheck& is_relay = {});
  // One track as render() lists it under "published" and "subscribed" (the get_stats reply uses them too).
  static nlohmann::json published_track(const sfu::PublishedTrackStats& track);
  static nlohmann::json subscribed_track(const sfu::SubscribedTrackStats& track);
};

}  // namespace ct::signal
