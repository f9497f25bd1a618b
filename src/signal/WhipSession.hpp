#pragma once
// One WHIP session (RFC 9725 §3): the ingress participant a POST put into a
// room, its HTTP resource (location, entity tag, the client's ICE
// credentials) and the offer it was negotiated from. As the room's sink for
// that participant it keeps the publisher answer or error of the offer just
// made (read on the worker right after making it), reports the
// participant's removal, and drops every other event: a broadcaster has no
// signaling connection and subscribes to nothing.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sfu/RoomEvents.hpp"
#include "signal/HttpSdpResource.hpp"

namespace ct::sfu {
class MediaWorker;
}

namespace ct::signal {

class WhipSession final : public sfu::ParticipantSink {
 public:
  // Called on the room's worker when the room removed the participant
  // (a newer session or client with its identity, a lost connection).
  using OnRemoved = std::function<void(const std::string& id, std::string_view reason)>;

  WhipSession(std::string id, std::string room, std::string identity, sfu::MediaWorker& worker,
              HttpSdpResource resource, std::string offer, OnRemoved on_removed);

  // sfu::ParticipantSink, on the room's worker.
  void deliver(sfu::RoomEvent event) override;

  // On the room's worker: what the room answered to the offer just made.
  void clear_outcome();
  std::optional<sfu::event::PublisherAnswer> take_answer();
  std::optional<sfu::event::Error> take_error();

  const std::string& id() const { return id_; }
  const std::string& room() const { return room_; }
  const std::string& identity() const { return identity_; }
  sfu::MediaWorker& worker() const { return worker_; }

  // Guarded by whoever keeps the session (WhipEndpoint's lock).
  HttpSdpResource& resource() { return resource_; }
  const std::string& offer() const { return offer_; }
  void set_offer(std::string offer) { offer_ = std::move(offer); }

 private:
  const std::string id_, room_, identity_;
  sfu::MediaWorker& worker_;
  HttpSdpResource resource_;
  std::string offer_;
  OnRemoved on_removed_;
  std::optional<sfu::event::PublisherAnswer> answer_;
  std::optional<sfu::event::Error> error_;
};

}  // namespace ct::signal
