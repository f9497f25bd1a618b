#pragma once
// One signaling connection on /rtc: a WebSocket carrying the JSON protocol of
// docs/protocol.md. Checks size, rate and schema of every message before it
// reaches a room, and turns the room's events into messages through a bounded
// send queue. Runs on its connection's strand; rooms are reached by posting to
// their media worker.
#include <memory>

#include "http/HttpHandler.hpp"

namespace ct::signal {

class RtcService;

// Takes over an upgraded HTTP connection. Keeps itself alive until closed.
void start_rtc_session(std::shared_ptr<RtcService> service, http::HttpRequest request,
                       std::unique_ptr<http::UpgradedConnection> connection);

}  // namespace ct::signal
