#include "cascade/CascadePort.hpp"

#include <array>
#include <cstring>

namespace ct::cascade {

CascadePort::CascadePort(boost::asio::io_context& io, const net::SocketAddress& bind, Listener& listener)
    : socket_(io, bind), listener_(listener) {
  start();
}

CascadePort::CascadePort(net::EventLoop& loop, const net::SocketAddress& bind, Listener& listener)
    : socket_(loop, bind), listener_(listener) {
  start();
}

void CascadePort::start() {
  socket_.start([this](std::span<uint8_t> datagram, const net::SocketAddress&) {
    if (auto received = endpoint_.receive(datagram))
      listener_.on_cascade_packet(received->link_id, received->kind, received->packet);
  });
}

bool CascadePort::add_link(uint32_t link_id, uint32_t peer_link_id, const net::SocketAddress& peer,
                           const CascadeKeys& send_keys, const CascadeKeys& receive_keys) {
  if (!endpoint_.add_link(link_id, peer_link_id, send_keys, receive_keys)) return false;
  peers_[link_id] = peer;
  return true;
}

bool CascadePort::remove_link(uint32_t link_id) {
  peers_.erase(link_id);
  return endpoint_.remove_link(link_id);
}

bool CascadePort::send_rtp(uint32_t link_id, std::span<const uint8_t> packet) {
  return send(link_id, packet, CascadeKind::rtp);
}

bool CascadePort::send_rtcp(uint32_t link_id, std::span<const uint8_t> packet) {
  return send(link_id, packet, CascadeKind::rtcp);
}

bool CascadePort::send(uint32_t link_id, std::span<const uint8_t> packet, CascadeKind kind) {
  CascadeLink* link = endpoint_.find(link_id);
  if (!link || packet.size() + CascadeLink::kMaxOverhead > net::UdpSocket::kMaxDatagram) return false;
  std::array<uint8_t, net::UdpSocket::kMaxDatagram> buffer;
  std::memcpy(buffer.data() + CascadeFrame::kHeaderSize, packet.data(), packet.size());
  size_t length = kind == CascadeKind::rtp ? link->seal_rtp(buffer, packet.size())
                                           : link->seal_rtcp(buffer, packet.size());
  if (length == 0) return false;
  socket_.send(std::span<const uint8_t>(buffer.data(), length), peers_.at(link_id));
  return true;
}

}  // namespace ct::cascade
