#pragma once
// The TCP stream of an upgraded connection, together with the bytes the HTTP
// parser had already read past the upgrade request. Reads return those bytes
// first, then read from the socket; writes go straight to the socket.
//
// A client may send its first WebSocket frames right behind the upgrade
// request, before the 101 arrives (RFC 6455 §4.1 only asks it to wait before
// it *expects* frames from the server); they often share one TCP segment
// with the request. Beast's websocket::stream::async_accept(request) starts
// with an empty read buffer, so a websocket::stream<ReadAheadStream> is what
// keeps such frames: they are the first bytes its reads see.
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <utility>

namespace ct::http {

class ReadAheadStream {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  ReadAheadStream(next_layer_type stream, boost::beast::flat_buffer read_ahead);

  executor_type get_executor() noexcept { return stream_.get_executor(); }
  // Beast's get_lowest_layer() walks through here to the TCP stream.
  next_layer_type& next_layer() noexcept { return stream_; }
  const next_layer_type& next_layer() const noexcept { return stream_; }

  // Bytes received past the upgrade request and not yet read.
  size_t read_ahead_size() const { return read_ahead_.size(); }

  template <class MutableBufferSequence, class ReadHandler>
  BOOST_ASIO_INITFN_AUTO_RESULT_TYPE(ReadHandler, void(boost::system::error_code, std::size_t))
  async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return boost::asio::async_initiate<ReadHandler, void(boost::system::error_code, std::size_t)>(
        ReadInitiation{this}, handler, buffers);
  }

  template <class ConstBufferSequence, class WriteHandler>
  BOOST_ASIO_INITFN_AUTO_RESULT_TYPE(WriteHandler, void(boost::system::error_code, std::size_t))
  async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return stream_.async_write_some(buffers, std::forward<WriteHandler>(handler));
  }

  // The WebSocket closing handshake ends with the TCP stream's own teardown
  // (found by argument-dependent lookup from websocket::stream).
  friend void teardown(boost::beast::role_type role, ReadAheadStream& s, boost::system::error_code& ec);

  template <class TeardownHandler>
  friend void async_teardown(boost::beast::role_type role, ReadAheadStream& s, TeardownHandler&& handler) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, s.stream_, std::forward<TeardownHandler>(handler));
  }

 private:
  struct ReadInitiation {
    ReadAheadStream* self;
    template <class Handler, class MutableBufferSequence>
    void operator()(Handler&& handler, const MutableBufferSequence& buffers) const {
      self->start_read(std::forward<Handler>(handler), buffers);
    }
  };

  template <class Handler, class MutableBufferSequence>
  void start_read(Handler&& handler, const MutableBufferSequence& buffers) {
    if (read_ahead_.size() == 0) {
      stream_.async_read_some(buffers, std::forward<Handler>(handler));
      return;
    }
    const size_t n = boost::asio::buffer_copy(buffers, read_ahead_.data());
    read_ahead_.consume(n);
    if (read_ahead_.size() == 0) read_ahead_.shrink_to_fit();
    // Like every asynchronous read, complete outside the initiating call.
    boost::asio::post(
        stream_.get_executor(),
        boost::beast::bind_front_handler(std::forward<Handler>(handler), boost::system::error_code{}, n));
  }

  next_layer_type stream_;
  boost::beast::flat_buffer read_ahead_;
};

}  // namespace ct::http
