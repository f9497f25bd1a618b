#include "signal/CandidateRequests.hpp"

#include "sfu/Participant.hpp"
#include "sfu/Room.hpp"
#include "sfu/RoomMembers.hpp"
#include "sfu/SignaledCandidates.hpp"

namespace ct::signal {
void CandidateRequests::add_from_description(sfu::Room& room, const std::string& identity,
                                             Connection connection, const std::string& sdp) {
  if (sfu::Participant* p = room.members().member(identity))
    sfu::SignaledCandidates::add_from_description(*p, connection, sdp);
}

void CandidateRequests::add_trickled(sfu::Room& room, const std::string& identity, Connection connection,
                                     const std::vector<std::string>& attributes) {
  sfu::Participant* p = room.members().member(identity);
  for (size_t i = 0; p && i < attributes.size(); ++i)
    sfu::SignaledCandidates::add_trickled(*p, connection, attributes[i]);
}

void CandidateRequests::publisher_offer(sfu::Room& room, const std::string& identity, const std::string& sdp,
                                        const std::vector<sfu::TrackMeta>& tracks, TimePoint now) {
  room.publisher_offer(identity, sdp, tracks, now);
  add_from_description(room, identity, Connection::publisher, sdp);
}

CandidateRequests::Work CandidateRequests::answer(std::string identity, std::string sdp) {
  return [identity = std::move(identity), sdp = std::move(sdp)](sfu::Room& room) {
    room.subscriber_answer(identity, sdp);
    add_from_description(room, identity, Connection::subscriber, sdp);
  };
}

CandidateRequests::Work CandidateRequests::trickle(std::string identity, request::Trickle trickle) {
  return [identity = std::move(identity), trickle = std::move(trickle)](sfu::Room& room) {
    auto connection = sfu::SignaledCandidates::connection_named(trickle.target);
    if (connection && !trickle.candidate.empty())
      add_trickled(room, identity, *connection, {trickle.candidate});
  };
}

}  // namespace ct::signal
