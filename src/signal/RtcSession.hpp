#pragma once
// One signaling connection on /rtc: a WebSocket carrying the JSON protocol of
// docs/protocol.md. Checks size, rate and schema of every message before it
// reaches a room, and turns the room's events into messages through a bounded
// send queue. Runs on its connection's strand; rooms are reached by posting to
// their media worker; the service above is reached through its listener.
#include <memory>

#include "http/HttpHandler.hpp"
#include "signal/RtcSessionListener.hpp"

namespace ct::signal {

// Takes over an upgraded HTTP connection. Keeps itself (and `listener`) alive
// until closed.
void start_rtc_session(std::shared_ptr<RtcSessionListener> listener, http::HttpRequest request,
                       std::unique_ptr<http::UpgradedConnection> connection);

}  // namespace ct::signal
