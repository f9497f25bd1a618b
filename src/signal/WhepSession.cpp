#include "signal/WhepSession.hpp"

#include <utility>

#include "sfu/Room.hpp"
#include "signal/CandidateRequests.hpp"

namespace ct::signal {

std::variant<std::string, sfu::event::Error> WhepSession::renegotiate(sfu::Room& room,
                                                                      const std::string& offer) {
  auto answered = room.answer_subscriber_offer(identity(), offer);
  if (auto* failure = std::get_if<sfu::event::Error>(&answered)) return std::move(*failure);
  CandidateRequests::add_from_description(room, identity(), CandidateRequests::Connection::subscriber, offer);
  return std::move(std::get<sfu::event::SubscriberAnswer>(answered).sdp);
}

}  // namespace ct::signal
