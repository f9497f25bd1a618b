// libFuzzer target for everything a TURN server reads from the network:
// client datagrams and stream frames (STUN, ChannelData, garbage), signed
// requests with arbitrary attributes (so the authenticated procedures are
// reached too), and peer datagrams arriving on a relayed address.
//
// Input: records of [kind][len-hi][len-lo][payload], run against a server
// that already holds one allocation with a permission and a channel.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "../unit/turn/TurnTestSupport.hpp"
#include "core/Endian.hpp"
#include "turn/ChannelData.hpp"

using namespace ct;
using namespace ct::turn;
using namespace std::chrono_literals;

namespace {

const net::SocketAddress kPeer = *net::SocketAddress::parse("93.184.216.34:5000");

stun::Method method_for(uint8_t b) {
  static constexpr stun::Method methods[] = {stun::Method::Allocate, stun::Method::Refresh,
                                             stun::Method::CreatePermission, stun::Method::ChannelBind,
                                             stun::Method::Binding, stun::Method::Send};
  return methods[b % 6];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  TurnServerConfig config;
  config.realm = "test";
  config.secrets = {"secret"};
  config.relay_port_min = 50000;
  config.relay_port_max = 50009;
  config.bandwidth_bytes_per_second = 100'000;
  test::FakeRelayWorld relays;
  TurnCounters counters;
  TurnRequestHandler handler(config, *net::SocketAddress::parse("203.0.113.1:0"),
                             *net::SocketAddress::parse("203.0.113.1:0"), relays, counters);
  TimePoint now = TimePoint{} + 1000h;
  handler.set_clock([&now] { return now; });
  auto wall = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  handler.set_wall_clock([wall] { return wall; });

  FiveTuple udp{*net::SocketAddress::parse("198.51.100.7:40000"), *net::SocketAddress::parse("203.0.113.1:3478"),
                Transport::Udp};
  FiveTuple tcp{udp.client, udp.server, Transport::Tcp};
  auto udp_client = test::FakeClient::make(false);
  auto tcp_client = test::FakeClient::make(true);
  test::TurnTestClient tc;
  auto creds = make_rest_credentials("secret", "fuzz", 3600s, wall);
  tc.username = creds.username;
  tc.password = creds.password;

  auto deliver = [&](std::vector<uint8_t> m, const FiveTuple& t, test::FakeClient& c) {
    handler.on_client_message(m, t, c, now);
  };
  // Set up: nonce, allocation, permission, channel.
  deliver(tc.request(stun::Method::Allocate, [](stun::StunMessageBuilder& b) { b.add_requested_transport(); }, false),
          udp, *udp_client);
  auto challenge = stun::StunMessage::parse(udp_client->sent.back());
  if (!challenge || !challenge->nonce()) std::abort();
  tc.nonce = std::string(*challenge->nonce());
  deliver(tc.request(stun::Method::Allocate, [](stun::StunMessageBuilder& b) { b.add_requested_transport(); }), udp,
          *udp_client);
  deliver(tc.request(stun::Method::ChannelBind,
                     [](stun::StunMessageBuilder& b) { b.add_channel_number(0x4000).add_xor_peer_address(kPeer); }),
          udp, *udp_client);
  const Allocation* a = handler.find(udp);
  if (!a) std::abort();
  uint16_t relay_port = a->relayed_address.port();

  size_t pos = 0;
  while (pos + 3 <= size) {
    uint8_t kind = data[pos];
    size_t len = load_u16(data + pos + 1);
    pos += 3;
    len = std::min(len, size - pos);
    std::vector<uint8_t> payload(data + pos, data + pos + len);
    pos += len;
    switch (kind % 6) {
      case 0:
        deliver(payload, udp, *udp_client);
        break;
      case 1:
        deliver(payload, tcp, *tcp_client);
        break;
      case 2: {
        // A signed request: payload[0] picks the method, the rest is TLVs.
        if (payload.empty()) break;
        auto request = tc.request(method_for(payload[0]), [&](stun::StunMessageBuilder& b) {
          size_t p = 1;
          while (p + 3 <= payload.size()) {
            uint16_t type = load_u16(&payload[p]);
            size_t l = std::min<size_t>(payload[p + 2], payload.size() - p - 3);
            b.add_attribute(stun::AttributeType(type), std::span<const uint8_t>(&payload[p + 3], l));
            p += 3 + l;
          }
        });
        deliver(request, payload[0] & 0x80 ? tcp : udp, payload[0] & 0x80 ? *tcp_client : *udp_client);
        break;
      }
      case 3:
        relays.deliver(relay_port, kPeer, payload);
        break;
      case 4: {
        // Stream framing over the payload as a TCP byte stream would present it.
        size_t off = 0;
        while (payload.size() - off >= 4) {
          auto frame = stream_frame_size(std::span<const uint8_t>(payload.data() + off, 4));
          if (!frame || *frame > payload.size() - off) break;
          deliver(std::vector<uint8_t>(payload.begin() + off, payload.begin() + off + *frame), tcp, *tcp_client);
          off += *frame;
        }
        break;
      }
      case 5:
        now += std::chrono::seconds(payload.empty() ? 1 : payload[0] * 4);
        handler.expire(now);
        break;
    }
    if (relays.open_ports.count(relay_port) == 0) relay_port = 0;  // the allocation went away
  }
  return 0;
}
