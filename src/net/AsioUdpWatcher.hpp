#pragma once
// Drives a UdpSocket from a Boost.Asio io_context (the media workers, the
// load client): the descriptor joins the reactor only once the socket
// starts receiving, a read wait stays armed while it is open, a write wait
// only while the socket is blocked, and flushes are posted to run once the
// current handler is done.
#include <memory>

#include "net/UdpSocket.hpp"

namespace boost::asio {
class io_context;
}

namespace ct::net {

class AsioUdpWatcher final : public UdpSocket::Watcher {
 public:
  // `socket` owns `fd` and this watcher.
  AsioUdpWatcher(boost::asio::io_context& io, UdpSocket& socket, int fd, bool v4);
  ~AsioUdpWatcher() override;

  void watch_readable() override;
  void watch_writable(bool on) override;
  void flush_soon() override;
  void stop() override;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with pending waits and posted flushes, which may outlive us
};

}  // namespace ct::net
