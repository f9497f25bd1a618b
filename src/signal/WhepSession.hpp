#pragma once
// One WHEP session (draft-ietf-wish-whep §3): the hidden "whep" participant
// a POST put into a room to play another participant's tracks. It drops
// every event but its removal: a player has no signaling connection, and the
// answer to its offer is returned by the room, not delivered.
#include "signal/HttpSdpSession.hpp"

namespace ct::signal {

class WhepSession final : public HttpSdpSession {
 public:
  using HttpSdpSession::HttpSdpSession;

  // Answers the offer again as the player's subscriber offer, every section
  // keeping its track.
  std::variant<std::string, sfu::event::Error> renegotiate(sfu::Room& room,
                                                           const std::string& offer) override;
  bool publishes() const override { return false; }
};

}  // namespace ct::signal
