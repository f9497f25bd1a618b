#include "signal/HttpSdpSession.hpp"

#include <utility>

namespace ct::signal {

HttpSdpSession::HttpSdpSession(std::string id, std::string room, std::string identity,
                               sfu::MediaWorker& worker, HttpSdpResource resource, std::string offer,
                               OnRemoved on_removed)
    : id_(std::move(id)),
      room_(std::move(room)),
      identity_(std::move(identity)),
      worker_(worker),
      resource_(std::move(resource)),
      offer_(std::move(offer)),
      on_removed_(std::move(on_removed)) {}

void HttpSdpSession::deliver(sfu::RoomEvent event) {
  if (auto* removed = std::get_if<sfu::event::Removed>(&event); removed && on_removed_)
    on_removed_(id_, removed->reason);
}

}  // namespace ct::signal
