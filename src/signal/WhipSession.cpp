#include "signal/WhipSession.hpp"

#include <utility>

#include "core/Clock.hpp"
#include "sfu/Room.hpp"
#include "signal/CandidateRequests.hpp"

namespace ct::signal {

void WhipSession::deliver(sfu::RoomEvent event) {
  if (auto* answer = std::get_if<sfu::event::PublisherAnswer>(&event)) {
    answer_ = std::move(*answer);
  } else if (auto* error = std::get_if<sfu::event::Error>(&event)) {
    error_ = std::move(*error);
  } else {
    HttpSdpSession::deliver(std::move(event));
  }
}

std::variant<std::string, sfu::event::Error> WhipSession::renegotiate(sfu::Room& room,
                                                                      const std::string& offer) {
  clear_outcome();
  CandidateRequests::publisher_offer(room, identity(), offer, {}, Clock::now());
  if (auto failure = take_error()) return std::move(*failure);
  if (auto answer = take_answer()) return std::move(answer->sdp);
  return sfu::event::Error{"bad_sdp", "the ICE restart was not answered"};
}

void WhipSession::clear_outcome() {
  answer_.reset();
  error_.reset();
}

std::optional<sfu::event::PublisherAnswer> WhipSession::take_answer() {
  return std::exchange(answer_, std::nullopt);
}

std::optional<sfu::event::Error> WhipSession::take_error() { return std::exchange(error_, std::nullopt); }

}  // namespace ct::signal
