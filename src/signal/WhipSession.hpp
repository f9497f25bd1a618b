#pragma once
// One WHIP session (RFC 9725 §3): the ingress participant a POST put into a
// room. Besides what every HTTP SDP session keeps, it keeps the publisher
// answer or error of the offer just made (read on the worker right after
// making it), and drops every other event: a broadcaster has no signaling
// connection and subscribes to nothing.
#include <optional>

#include "signal/HttpSdpSession.hpp"

namespace ct::signal {

class WhipSession final : public HttpSdpSession {
 public:
  using HttpSdpSession::HttpSdpSession;

  // sfu::ParticipantSink, on the room's worker.
  void deliver(sfu::RoomEvent event) override;
  // Makes the offer again as the publisher's (RFC 9725 §4.3.3).
  std::variant<std::string, sfu::event::Error> renegotiate(sfu::Room& room,
                                                           const std::string& offer) override;
  bool publishes() const override { return true; }

  // On the room's worker: what the room answered to the offer just made.
  void clear_outcome();
  std::optional<sfu::event::PublisherAnswer> take_answer();
  std::optional<sfu::event::Error> take_error();

 private:
  std::optional<sfu::event::PublisherAnswer> answer_;
  std::optional<sfu::event::Error> error_;
};

}  // namespace ct::signal
