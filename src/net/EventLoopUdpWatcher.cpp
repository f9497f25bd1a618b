#include "net/EventLoopUdpWatcher.hpp"

#include <sys/epoll.h>

namespace ct::net {

namespace {

uint32_t interest(bool writable) { return EPOLLIN | EPOLLET | (writable ? uint32_t(EPOLLOUT) : 0u); }

}  // namespace

EventLoopUdpWatcher::EventLoopUdpWatcher(EventLoop& loop, UdpSocket& socket, int fd)
    : loop_(loop), socket_(&socket), fd_(fd) {}

EventLoopUdpWatcher::~EventLoopUdpWatcher() { stop(); }

void EventLoopUdpWatcher::watch_readable() {
  if (registered_ || !socket_) return;
  key_ = loop_.add(fd_, *this, interest(false));
  registered_ = true;
}

void EventLoopUdpWatcher::watch_writable(bool on) {
  if (registered_) loop_.modify(key_, fd_, interest(on));
}

void EventLoopUdpWatcher::flush_soon() {
  if (listed_ || !socket_) return;
  listed_ = true;
  loop_.flush_after_turn(*this);
}

void EventLoopUdpWatcher::stop() {
  if (listed_) loop_.cancel_flush(*this);
  listed_ = false;
  if (registered_) loop_.remove(key_, fd_);
  registered_ = false;
  socket_ = nullptr;
}

void EventLoopUdpWatcher::on_events(uint32_t events) {
  if (!socket_) return;
  if (events & EPOLLOUT) socket_->on_writable();
  // A bounded read that stopped early: no new edge will come for what is
  // left, so the loop calls again next turn.
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && socket_ && !socket_->on_readable() && registered_)
    loop_.resume_next_turn(key_);
}

void EventLoopUdpWatcher::flush() {
  listed_ = false;
  if (socket_) socket_->flush();
}

}  // namespace ct::net
