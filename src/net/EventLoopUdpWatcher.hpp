#pragma once
// Drives a UdpSocket from a net::EventLoop (the TURN thread): the descriptor
// joins the epoll set once, edge-triggered, for EPOLLIN always and EPOLLOUT
// only while the socket is blocked (a writable UDP socket would otherwise
// wake the loop after every send); queued datagrams leave at the end of the
// loop's turn, one flush per socket.
#include <cstdint>

#include "net/EventLoop.hpp"
#include "net/UdpSocket.hpp"

namespace ct::net {

class EventLoopUdpWatcher final : public UdpSocket::Watcher, EventLoop::Handler, EventLoop::Flushable {
 public:
  // `socket` owns `fd` and this watcher.
  EventLoopUdpWatcher(EventLoop& loop, UdpSocket& socket, int fd);
  ~EventLoopUdpWatcher() override;

  void watch_readable() override;
  void watch_writable(bool on) override;
  void flush_soon() override;
  void stop() override;

 private:
  void on_events(uint32_t epoll_events) override;
  void flush() override;

  EventLoop& loop_;
  UdpSocket* socket_;  // null once stopped
  int fd_;
  uint64_t key_ = 0;
  bool registered_ = false;
  bool listed_ = false;  // for a flush at the end of this turn
};

}  // namespace ct::net
