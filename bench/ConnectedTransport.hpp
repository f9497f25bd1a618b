#pragma once
// For the forwarding benchmarks: a PeerTransport connected to an in-memory
// client over ICE + DTLS, whose datagrams go into one send slot (a copy, as
// the batched socket does; no system call) and are counted.
#include <array>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "../tests/support/TestPeer.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "stun/StunMessage.hpp"
#include "webrtc/DatagramSender.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::bench {

struct Sender final : webrtc::DatagramSender {
  void send_datagram(std::span<const uint8_t> d, const net::SocketAddress&) override {
    if (handshake) {
      queue.emplace_back(d.begin(), d.end());
      return;
    }
    std::memcpy(slot.data(), d.data(), std::min(d.size(), slot.size()));  // what the send batch does
    ++sent;
  }
  bool handshake = true;
  std::deque<std::vector<uint8_t>> queue;
  std::array<uint8_t, 1600> slot{};
  uint64_t sent = 0;
};

struct Listener final : webrtc::PeerTransport::Listener {
  void on_rtp(webrtc::PeerTransport&, std::span<uint8_t>, size_t, ct::TimePoint) override {}
  void on_rtcp(webrtc::PeerTransport&, std::span<uint8_t>, size_t) override {}
  void on_transport_closed(webrtc::PeerTransport&, std::string_view) override {}
};

struct ConnectedTransport {
  ConnectedTransport() {
    transport = std::make_unique<webrtc::PeerTransport>(listener, sender, certificate,
                                                        webrtc::PeerTransport::Options{}, now);
    client.set_remote(transport->local_ufrag(), transport->local_pwd(), transport->local_fingerprint());
    transport->set_remote_parameters(client.ufrag(), client.pwd(), "sha-256", client.fingerprint());
    client.send_check();
    for (int round = 0; round < 50 && (!to_server.empty() || !sender.queue.empty()); ++round) {
      while (!to_server.empty()) {
        auto d = std::move(to_server.front());
        to_server.pop_front();
        if (d[0] < 4) {
          if (auto m = stun::StunMessage::parse(d)) transport->receive_stun(*m, address, now);
        } else {
          size_t size = d.size();
          d.resize(size + 64);
          transport->receive_datagram(std::span(d.data(), size), d.size(), address, now);
        }
      }
      while (!sender.queue.empty()) {
        auto d = std::move(sender.queue.front());
        sender.queue.pop_front();
        client.receive(d, now);
      }
    }
    sender.handshake = false;
  }
  dtls::DtlsCertificate certificate;
  Sender sender;
  Listener listener;
  TimePoint now = Clock::now();
  std::deque<std::vector<uint8_t>> to_server;
  test::TestPeer client{[this](std::span<const uint8_t> d) { to_server.emplace_back(d.begin(), d.end()); }};
  net::SocketAddress address = *net::SocketAddress::parse("127.0.0.1:40000");
  std::unique_ptr<webrtc::PeerTransport> transport;
};

}  // namespace ct::bench
