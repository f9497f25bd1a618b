#pragma once
// Where a PeerTransport's datagrams leave: the worker's shared UDP port.
#include <cstdint>
#include <span>

#include "net/SocketAddress.hpp"

namespace ct::webrtc {

class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  virtual void send_datagram(std::span<const uint8_t> datagram, const net::SocketAddress& to) = 0;
};

}  // namespace ct::webrtc
