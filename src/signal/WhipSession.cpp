#include "signal/WhipSession.hpp"

#include <utility>

namespace ct::signal {

WhipSession::WhipSession(std::string id, std::string room, std::string identity, sfu::MediaWorker& worker,
                         HttpSdpResource resource, std::string offer, OnRemoved on_removed)
    : id_(std::move(id)),
      room_(std::move(room)),
      identity_(std::move(identity)),
      worker_(worker),
      resource_(std::move(resource)),
      offer_(std::move(offer)),
      on_removed_(std::move(on_removed)) {}

void WhipSession::deliver(sfu::RoomEvent event) {
  if (auto* answer = std::get_if<sfu::event::PublisherAnswer>(&event)) {
    answer_ = std::move(*answer);
  } else if (auto* error = std::get_if<sfu::event::Error>(&event)) {
    error_ = std::move(*error);
  } else if (auto* removed = std::get_if<sfu::event::Removed>(&event)) {
    if (on_removed_) on_removed_(id_, removed->reason);
  }
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
