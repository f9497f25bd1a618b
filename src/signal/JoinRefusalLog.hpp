#pragma once
// One log line (log_event, event "join") for every join refused before the
// participant is in a room: the connection limit per address, the message
// rate, a malformed message, the join timeout, an unsupported protocol, a
// bad or expired token, a token that grants no room, a draining or
// unreachable node, and the room's own refusals (room_full, ...). The
// outcome is the error code the client was sent; the room and identity come
// from the token once it verified (never the token itself); the client's IP
// address, without a port, as the other signaling lines name it.
#include <string>
#include <string_view>

#include "http/HttpHandler.hpp"

namespace ct::signal {

class JoinRefusalLog {
 public:
  // The room and identity a verified token claims: named by the lines that follow.
  void claimed(std::string room, std::string identity);

  // An error sent on a connection that has not joined. A line when it
  // refuses the join (`request_type` "join") or comes before one (no request
  // named: the connection limit, the rate limit, a malformed message, the
  // join timeout); errors about other requests sent too early are not joins.
  // After a refused join the claim is forgotten: the client may try another token.
  void on_error(std::string_view code, std::string_view request_type, std::string_view remote_ip);

  // WHIP and WHEP: an offer POSTed to an endpoint is a join. `respond`, writing
  // a line for an error answer (4xx, 5xx) with its code (the JSON body's
  // "code"), the room of the path and the client's address.
  static http::Responder logging_refusals(http::Responder respond, std::string room, std::string remote_ip);

  // The line itself.
  static void write(std::string_view code, std::string_view room, std::string_view identity,
                    std::string_view remote_ip);

 private:
  std::string room_, identity_;
};

}  // namespace ct::signal
