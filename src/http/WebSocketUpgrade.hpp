#pragma once
// What an UpgradeHandler receives: the connection's stream (with any bytes
// already read past the request) and the upgrade request as Beast parsed it,
// which websocket::stream::async_accept wants. Heavy (Beast): include only
// from WebSocket code.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "http/HttpHandler.hpp"
#include "http/ReadAheadStream.hpp"

namespace ct::http {

// A WebSocket on an upgraded connection: built from UpgradedConnection::stream
// and accepted with UpgradedConnection::request, it reads the frames that came
// in with the request before anything newer.
using WebSocketStream = boost::beast::websocket::stream<ReadAheadStream>;

struct UpgradedConnection {
  ReadAheadStream stream;  // its executor is the connection's strand
  boost::beast::http::request<boost::beast::http::string_body> request;
};

}  // namespace ct::http
