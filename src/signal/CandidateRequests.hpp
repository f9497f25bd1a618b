#pragma once
// What /rtc does with the ICE candidates a client signals: those in its
// publisher offer and subscriber answer, and each `trickle`, go to that
// connection's transport (sfu::SignaledCandidates), where they name the
// selected path's candidate type in the stats. Runs on the room's worker.
#include <functional>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/SignaledCandidates.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::sfu {
class Room;
struct TrackMeta;
}  // namespace ct::sfu

namespace ct::signal {

class CandidateRequests {
 public:
  // Room::publisher_offer, then the offer's candidates.
  static void publisher_offer(sfu::Room& room, const std::string& identity, const std::string& sdp,
                              const std::vector<sfu::TrackMeta>& tracks, TimePoint now);
  using Connection = sfu::SignaledCandidates::Connection;
  // The candidates in a description the client sent for that connection, or trickled ones
  // (attribute values). Nothing when the participant is not in the room.
  static void add_from_description(sfu::Room& room, const std::string& identity, Connection connection,
                                   const std::string& sdp);
  static void add_trickled(sfu::Room& room, const std::string& identity, Connection connection,
                           const std::vector<std::string>& attributes);

  using Work = std::function<void(sfu::Room&)>;
  // Room::subscriber_answer, then the answer's candidates.
  static Work answer(std::string identity, std::string sdp);
  // One trickled candidate of the connection the trickle names.
  static Work trickle(std::string identity, request::Trickle trickle);
};

}  // namespace ct::signal
