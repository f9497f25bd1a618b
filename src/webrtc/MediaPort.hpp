#pragma once
// A media worker's single UDP port, shared by every PeerTransport on that
// worker (one port per worker, as mediasoup's WebRtcServer does). STUN checks
// are routed by the local ICE ufrag in their USERNAME; everything else by the
// source address that ICE has validated. Anything else is dropped and counted.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "net/SocketAddress.hpp"
#include "net/UdpSocket.hpp"
#include "webrtc/DatagramSender.hpp"

namespace boost::asio {
class io_context;
}
namespace ct::net {
class EventLoop;
}

namespace ct::webrtc {

class PeerTransport;

class MediaPort final : public DatagramSender {
 public:
  struct Stats {
    uint64_t unknown_source = 0;  // non-STUN from an address no transport validated
    uint64_t unknown_ufrag = 0;   // STUN for no transport of ours
    uint64_t malformed = 0;       // unparseable STUN or unclassifiable first byte
  };

  // Binds `bind`; candidates carry `announced_ip` (or the bound address if empty).
  // The loop drives the socket and must outlive the port: a media worker's
  // net::EventLoop, or an io_context (the unit tests' loopback peers).
  MediaPort(net::EventLoop& loop, const net::SocketAddress& bind, const std::string& announced_ip);
  MediaPort(boost::asio::io_context& io, const net::SocketAddress& bind, const std::string& announced_ip);
  ~MediaPort() override;

  void start();
  void close();

  // Routes checks for the transport's current local ufrag (call again after
  // an ICE restart: the previous ufrag keeps routing until remove()).
  void add(PeerTransport& transport);
  void remove(PeerTransport& transport);

  // The address to put in host candidates.
  net::SocketAddress candidate_address() const;
  void send_datagram(std::span<const uint8_t> datagram, const net::SocketAddress& to) override;
  const Stats& stats() const { return stats_; }
  const net::UdpSocket::Stats& socket_stats() const { return socket_.stats(); }

 private:
  void on_datagram(std::span<uint8_t> datagram, const net::SocketAddress& from, TimePoint arrival);
  void announce(const std::string& announced_ip);

  net::UdpSocket socket_;
  net::SocketAddress candidate_address_;
  // Transparent hashing: a ufrag found in a STUN request is looked up as a view, no copy.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, PeerTransport*, StringHash, std::equal_to<>> by_ufrag_;
  std::unordered_map<net::SocketAddress, PeerTransport*> by_address_;
  Stats stats_;
};

}  // namespace ct::webrtc
