#include "http/ReadAheadStream.hpp"

namespace ct::http {

ReadAheadStream::ReadAheadStream(next_layer_type stream, boost::beast::flat_buffer read_ahead)
    : stream_(std::move(stream)), read_ahead_(std::move(read_ahead)) {}

void teardown(boost::beast::role_type role, ReadAheadStream& s, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, s.stream_, ec);
}

}  // namespace ct::http
