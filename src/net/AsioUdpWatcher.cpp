#include "net/AsioUdpWatcher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

namespace ct::net {

namespace asio = boost::asio;

struct AsioUdpWatcher::State : std::enable_shared_from_this<State> {
  asio::io_context& io;
  UdpSocket* socket;  // null once stopped
  int fd;
  bool v4;
  // Joins the reactor only when watched: an fd in an epoll set costs every
  // arriving datagram a wake-up callback, which polled sockets avoid.
  asio::ip::udp::socket descriptor;
  bool write_wait_armed = false;
  bool flush_posted = false;

  State(asio::io_context& context, UdpSocket& s, int f, bool is_v4)
      : io(context), socket(&s), fd(f), v4(is_v4), descriptor(context) {}

  bool join() {
    if (!socket) return false;
    if (!descriptor.is_open()) descriptor.assign(v4 ? asio::ip::udp::v4() : asio::ip::udp::v6(), fd);
    return true;
  }

  void arm_read() {
    descriptor.async_wait(asio::ip::udp::socket::wait_read,
                          [weak = weak_from_this()](const boost::system::error_code& ec) {
                            auto self = weak.lock();
                            if (ec || !self || !self->socket) return;
                            // Re-arming re-registers the descriptor (Boost 1.74's
                            // epoll_ctl per wait), which reports datagrams a
                            // bounded read left behind at once.
                            self->socket->on_readable();
                            if (!self->socket) return;  // closed by its handler
                            self->socket->flush();
                            self->arm_read();
                          });
  }

  void arm_write() {
    if (write_wait_armed) return;
    write_wait_armed = true;
    descriptor.async_wait(asio::ip::udp::socket::wait_write,
                          [weak = weak_from_this()](const boost::system::error_code& ec) {
                            auto self = weak.lock();
                            if (ec || !self || !self->socket) return;
                            self->write_wait_armed = false;
                            self->socket->on_writable();
                          });
  }
};

AsioUdpWatcher::AsioUdpWatcher(asio::io_context& io, UdpSocket& socket, int fd, bool v4)
    : state_(std::make_shared<State>(io, socket, fd, v4)) {}

AsioUdpWatcher::~AsioUdpWatcher() { stop(); }

void AsioUdpWatcher::watch_readable() {
  if (state_->join()) state_->arm_read();
}

void AsioUdpWatcher::watch_writable(bool on) {
  // Off: the write wait is one-shot and has fired.
  if (on && state_->join()) state_->arm_write();
}

void AsioUdpWatcher::flush_soon() {
  auto& s = *state_;
  if (s.flush_posted || !s.socket) return;
  // Sends made outside a receive (timers, signaling, other sockets' handlers)
  // still leave promptly, together.
  s.flush_posted = true;
  asio::post(s.io, [weak = state_->weak_from_this()] {
    auto self = weak.lock();
    if (!self) return;
    self->flush_posted = false;
    if (self->socket) self->socket->flush();
  });
}

void AsioUdpWatcher::stop() {
  auto& s = *state_;
  if (!s.socket) return;
  s.socket = nullptr;
  if (s.descriptor.is_open()) {
    boost::system::error_code ec;
    s.descriptor.release(ec);  // leaves the reactor; the UdpSocket closes the fd
  }
}

}  // namespace ct::net
