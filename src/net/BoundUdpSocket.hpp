#pragma once
// A nonblocking UDP socket bound to one address, with large kernel buffers:
// the start of every UDP socket CipherTalk owns (media ports, TURN listener
// and relays). Throws std::system_error naming the address if it cannot bind.
#include "net/SocketAddress.hpp"

namespace ct::net {

// Kernel receive and send buffer: room for bursts of keyframes from many
// publishers, or of relayed traffic from many TURN clients.
inline constexpr int kUdpSocketBufferBytes = 4 << 20;

// The file descriptor; the caller owns it.
int open_bound_udp_socket(const SocketAddress& bind_address);

}  // namespace ct::net
