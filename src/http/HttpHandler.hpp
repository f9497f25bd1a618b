#pragma once
// What the server calls: route handlers, the Responder they answer through,
// and the handler that takes over a WebSocket upgrade.
#include <functional>
#include <memory>

#include "http/HttpRequest.hpp"
#include "http/HttpResponse.hpp"

namespace ct::http {

// Completes one request. Thread-safe: may be called from any thread, once; the
// response is posted back to the connection's executor. A second call is
// ignored. A Responder destroyed without being called answers 500, so a
// handler that drops a request never leaves the client hanging.
using Responder = std::function<void(HttpResponse)>;

// Runs on the server's thread; must not block. Slow work (e.g. an answer from
// another thread) keeps the Responder and calls it later.
using Handler = std::function<void(HttpRequest, Responder)>;

// A connection handed over after an HTTP Upgrade request. Its definition
// (Beast stream with the bytes read past the request, the parsed request) is
// in http/WebSocketUpgrade.hpp, which only WebSocket code needs to include.
struct UpgradedConnection;

// Receives the upgrade request and owns the connection from then on. Runs on
// the connection's strand.
using UpgradeHandler = std::function<void(HttpRequest, std::unique_ptr<UpgradedConnection>)>;

}  // namespace ct::http
