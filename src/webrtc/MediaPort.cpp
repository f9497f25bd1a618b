#include "webrtc/MediaPort.hpp"

#include "core/Clock.hpp"
#include "core/Log.hpp"
#include "ice/IceLiteAgent.hpp"
#include "net/PacketKind.hpp"
#include "stun/StunMessage.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::webrtc {

MediaPort::MediaPort(net::EventLoop& loop, const net::SocketAddress& bind, const std::string& announced_ip)
    : socket_(loop, bind) {
  announce(announced_ip);
}

MediaPort::MediaPort(boost::asio::io_context& io, const net::SocketAddress& bind,
                     const std::string& announced_ip)
    : socket_(io, bind) {
  announce(announced_ip);
}

void MediaPort::announce(const std::string& announced_ip) {
  candidate_address_ = socket_.local_address();
  if (!announced_ip.empty()) {
    if (auto a = net::SocketAddress::parse_ip(announced_ip, candidate_address_.port()))
      candidate_address_ = *a;
  }
}

MediaPort::~MediaPort() { close(); }

void MediaPort::start() {
  // Arrival times from the kernel: transport-wide-cc feedback and REMB measure
  // the publisher's path, not how long this worker took to read it.
  socket_.start([this](std::span<uint8_t> d, const net::SocketAddress& from, TimePoint arrival) {
    on_datagram(d, from, arrival);
  });
}

void MediaPort::close() { socket_.close(); }

void MediaPort::add(PeerTransport& transport) { by_ufrag_[transport.local_ufrag()] = &transport; }

void MediaPort::remove(PeerTransport& transport) {
  // After an ICE restart a transport is known by its previous ufrag too.
  std::erase_if(by_ufrag_, [&](const auto& kv) { return kv.second == &transport; });
  std::erase_if(by_address_, [&](const auto& kv) { return kv.second == &transport; });
}

net::SocketAddress MediaPort::candidate_address() const { return candidate_address_; }

void MediaPort::send_datagram(std::span<const uint8_t> datagram, const net::SocketAddress& to) {
  socket_.send(datagram, to);
}

void MediaPort::on_datagram(std::span<uint8_t> datagram, const net::SocketAddress& from, TimePoint arrival) {
  auto now = Clock::now();
  switch (net::classify_packet(datagram)) {
    case net::PacketKind::Stun: {
      auto message = stun::StunMessage::parse(datagram);
      if (!message) {
        ++stats_.malformed;
        return;
      }
      auto ufrag = ice::IceLiteAgent::local_ufrag_of(*message);
      auto it = ufrag ? by_ufrag_.find(*ufrag) : by_ufrag_.end();
      if (it == by_ufrag_.end()) {
        ++stats_.unknown_ufrag;
        spdlog::trace("port: STUN for unknown ufrag from {}", from.to_string());
        return;
      }
      PeerTransport* t = it->second;
      t->receive_stun(*message, from, now);
      // A validated check makes this address the transport's (RFC 8445 §7.3.1.4);
      // after NAT rebinding the new address joins, the old one ages out with consent.
      if (t->is_validated_address(from)) by_address_[from] = t;
      return;
    }
    case net::PacketKind::Dtls:
    case net::PacketKind::Rtp: {
      auto it = by_address_.find(from);
      if (it == by_address_.end()) {
        ++stats_.unknown_source;
        spdlog::trace("port: dropped {} bytes from unvalidated {}", datagram.size(), from.to_string());
        return;
      }
      it->second->receive_datagram(datagram, net::UdpSocket::kMaxDatagram, from, now, arrival);
      return;
    }
    default:
      ++stats_.malformed;
      return;
  }
}

}  // namespace ct::webrtc
