#pragma once
// One media worker's cascade socket: the UDP port its links to other nodes
// send from and receive on (one 5-tuple per node pair; the rooms' links on
// it are told apart by the link id in each frame). A datagram that arrives
// is opened with its link's keys and handed on; one that does not
// authenticate goes no further, whoever sent it. Runs on the worker's
// io_context, on its thread; nothing is allocated per packet.
#include <cstdint>
#include <span>
#include <unordered_map>

#include "cascade/CascadeEndpoint.hpp"
#include "net/SocketAddress.hpp"
#include "net/UdpSocket.hpp"

namespace boost::asio {
class io_context;
}

namespace ct::net {
class EventLoop;
}

namespace ct::cascade {

class CascadePort {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // A plain packet of link `link_id` (this node's id of it), to handle now.
    virtual void on_cascade_packet(uint32_t link_id, CascadeKind kind, std::span<uint8_t> packet) = 0;
  };

  // Binds at once (throws std::system_error naming the address) and receives
  // from then on, on `io` or a media worker's `loop`.
  CascadePort(boost::asio::io_context& io, const net::SocketAddress& bind, Listener& listener);
  CascadePort(net::EventLoop& loop, const net::SocketAddress& bind, Listener& listener);

  // A link this node knows as `link_id` (CascadeEndpoint::unused_link_id),
  // the peer as `peer_link_id`, whose frames go to `peer`.
  bool add_link(uint32_t link_id, uint32_t peer_link_id, const net::SocketAddress& peer,
                const CascadeKeys& send_keys, const CascadeKeys& receive_keys);
  bool remove_link(uint32_t link_id);
  uint32_t unused_link_id() const { return endpoint_.unused_link_id(); }

  // Protects a copy of the plain packet for the link and queues it (it
  // leaves with the socket's next flush). False when there is no such link
  // or the packet cannot be sealed (malformed, too long).
  bool send_rtp(uint32_t link_id, std::span<const uint8_t> packet);
  bool send_rtcp(uint32_t link_id, std::span<const uint8_t> packet);

  net::SocketAddress local_address() const { return socket_.local_address(); }
  const CascadeEndpoint& endpoint() const { return endpoint_; }
  const CascadeLink* link(uint32_t link_id) { return endpoint_.find(link_id); }

 private:
  bool send(uint32_t link_id, std::span<const uint8_t> packet, CascadeKind kind);
  void start();

  net::UdpSocket socket_;
  Listener& listener_;
  CascadeEndpoint endpoint_;
  std::unordered_map<uint32_t, net::SocketAddress> peers_;  // by link id
};

}  // namespace ct::cascade
