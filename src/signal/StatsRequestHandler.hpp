#pragma once
// get_stats on /rtc (docs/protocol.md): a participant asks what the server
// sees of its own connections and tracks, or of what it receives from one
// publisher together with that publisher's public quality. Never another
// participant's addresses, candidate types or round trips. One handler per
// connection: it limits the rate (kRequestsPerSecond, an error
// "rate_limited" beyond it); the numbers are taken on the room's worker and
// rendered on the front thread.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/TokenBucket.hpp"
#include "sfu/ParticipantStats.hpp"
#include "signal/MovableSession.hpp"
#include "signal/ParticipantStatsJson.hpp"
#include "signal/RtcSessionListener.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::sfu {
class Room;
}

namespace ct::signal {

class StatsRequestHandler {
 public:
  // A stats panel asks once a second; a few panels open at once fit.
  static constexpr double kRequestsPerSecond = 4, kBurst = 8;
  using Work = std::function<void(sfu::Room&)>;

  explicit StatsRequestHandler(std::shared_ptr<RtcSessionListener> service);

  // On the connection's strand, for `identity`'s request: the work to run on
  // the room's worker (it sends the reply to `session`), or nullopt when over
  // the rate (the refusal has been sent).
  std::optional<Work> admit(const request::GetStats& request, const std::string& identity,
                            std::weak_ptr<MovableSession> session, TimePoint now);

  // The "stats" reply: `mine` is the caller's; `publisher` the participant it
  // asked about (nullptr: it asked about itself).
  static nlohmann::json render(const request::GetStats& request, const sfu::ParticipantStats& mine,
                               const sfu::ParticipantStats* publisher,
                               const ParticipantStatsJson::RelayCheck& is_relay = {});
  // An error reply that names the request it answers.
  static nlohmann::json error(const request::GetStats& request, std::string_view code,
                              std::string_view message);

 private:
  std::shared_ptr<RtcSessionListener> service_;
  TokenBucket bucket_{kRequestsPerSecond, kBurst};
};

}  // namespace ct::signal
