#pragma once
// One WHEP session (draft-ietf-wish-whep §3): the hidden "whep" participant
// a POST put into a room to play another participant's tracks, its HTTP
// resource (location, entity tag, the player's ICE credentials) and the
// offer it was answered from. As the room's sink for that participant it
// reports the participant's removal and drops every other event: a player
// has no signaling connection; the answer to its offer is returned by the
// room, not delivered.
#include <functional>
#include <string>
#include <string_view>

#include "sfu/RoomEvents.hpp"
#include "signal/HttpSdpResource.hpp"

namespace ct::sfu {
class MediaWorker;
}

namespace ct::signal {

class WhepSession final : public sfu::ParticipantSink {
 public:
  // Called on the room's worker when the room removed the participant
  // (its connection was lost or never came up, an administrator removed it).
  using OnRemoved = std::function<void(const std::string& id, std::string_view reason)>;

  WhepSession(std::string id, std::string room, std::string identity, sfu::MediaWorker& worker,
              HttpSdpResource resource, std::string offer, OnRemoved on_removed);

  // sfu::ParticipantSink, on the room's worker.
  void deliver(sfu::RoomEvent event) override;

  const std::string& id() const { return id_; }
  const std::string& room() const { return room_; }
  const std::string& identity() const { return identity_; }  // the player's participant
  sfu::MediaWorker& worker() const { return worker_; }

  // Guarded by whoever keeps the session (WhepEndpoint's lock).
  HttpSdpResource& resource() { return resource_; }
  const std::string& offer() const { return offer_; }
  void set_offer(std::string offer) { offer_ = std::move(offer); }

 private:
  const std::string id_, room_, identity_;
  sfu::MediaWorker& worker_;
  HttpSdpResource resource_;
  std::string offer_;
  OnRemoved on_removed_;
};

}  // namespace ct::signal
