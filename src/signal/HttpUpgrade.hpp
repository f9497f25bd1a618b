#pragma once
// What an UpgradeHandler receives: the connection's stream, the upgrade request
// as Beast parsed it (websocket::stream::async_accept wants it), and any bytes
// already read past it. Heavy (Beast): include only from WebSocket code.
#include "signal/HttpServer.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace ct::signal {

struct UpgradedConnection {
  boost::beast::tcp_stream stream;  // its executor is the connection's strand
  boost::beast::http::request<boost::beast::http::string_body> request;
  boost::beast::flat_buffer buffer;
};

}  // namespace ct::signal
