#pragma once
// One session set up by an SDP offer/answer over HTTP (WHIP, RFC 9725 §3,
// and WHEP): the participant a POST put into a room, its HTTP resource
// (location, entity tag, the client's ICE credentials) and the offer it was
// negotiated from. As the room's sink for that participant it reports the
// participant's removal; what else it keeps, and how its offer is answered
// again after an ICE restart, is the publishing or playing side's own.
#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "sfu/RoomEvents.hpp"
#include "signal/HttpSdpResource.hpp"

namespace ct::sfu {
class MediaWorker;
class Room;
}  // namespace ct::sfu

namespace ct::signal {

class HttpSdpSession : public sfu::ParticipantSink {
 public:
  // Called on the room's worker when the room removed the participant (a
  // newer session or client with its identity, a connection that was lost or
  // never came up, an administrator).
  using OnRemoved = std::function<void(const std::string& id, std::string_view reason)>;

  HttpSdpSession(std::string id, std::string room, std::string identity, sfu::MediaWorker& worker,
                 HttpSdpResource resource, std::string offer, OnRemoved on_removed);

  // sfu::ParticipantSink, on the room's worker: reports a removal, drops the rest.
  void deliver(sfu::RoomEvent event) override;

  // On the room's worker: has the room answer `offer` (the session's offer
  // with new ICE credentials) for this session's participant. The answer's
  // SDP, or why the room refused it.
  virtual std::variant<std::string, sfu::event::Error> renegotiate(sfu::Room& room,
                                                                   const std::string& offer) = 0;
  // The participant's connection this client's is: publisher (WHIP) or subscriber (WHEP).
  virtual bool publishes() const = 0;

  const std::string& id() const { return id_; }
  const std::string& room() const { return room_; }
  const std::string& identity() const { return identity_; }
  sfu::MediaWorker& worker() const { return worker_; }

  // Guarded by whoever keeps the session (HttpSdpSessionRegistry's lock).
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
