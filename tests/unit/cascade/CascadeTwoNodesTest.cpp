// Two nodes' ends of one room's link in one process, over real loopback
// sockets with each node's own SRTP keys: the origin's publication goes out
// once through its uplink, arrives as the other node's publication, a packet
// the link lost is fetched again by NACK, and a keyframe request comes back
// to the publisher.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <vector>

#include "cascade/CascadeFeedback.hpp"
#include "cascade/CascadePort.hpp"
#include "cascade/CascadePortLink.hpp"
#include "cascade/CascadeTrackParams.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/CascadeUplink.hpp"
#include "sfu/Publication.hpp"
#include "sfu/PublisherFeedback.hpp"
#include "sfu/RemotePublisher.hpp"

namespace ct::cascade {
namespace {

constexpr uint32_t kSsrc = 0x1111;

struct PublisherRtcp final : sfu::PublisherFeedback {
  bool send_rtcp(std::span<uint8_t> buffer, size_t length) override {
    rtp::RtcpCompound packets(buffer.first(length));
    while (auto p = packets.next())
      if (auto pli = rtp::RtcpPli::parse(*p)) plis.push_back(pli->media_ssrc());
    return true;
  }
  std::vector<uint32_t> plis;
};

// A node's listener on its link socket: RTP to the receiving side, RTCP to the origin's uplink.
struct Node final : CascadePort::Listener, CascadeFeedbackHandler {
  std::function<void(std::span<uint8_t>)> on_media;
  sfu::CascadeUplink* uplink = nullptr;
  TimePoint now{};
  void on_cascade_packet(uint32_t, CascadeKind kind, std::span<uint8_t> packet) override {
    if (kind == CascadeKind::rtp && on_media) on_media(packet);
    if (kind == CascadeKind::rtcp && uplink) read_cascade_feedback(packet, *this);
  }
  void on_keyframe_request(uint32_t ssrc) override { uplink->on_keyframe_request(ssrc, now); }
  void on_nack(uint32_t ssrc, uint16_t seq) override { uplink->on_nack(ssrc, seq, now); }
};

std::vector<uint8_t> vp8_packet(uint16_t seq) {
  std::vector<uint8_t> p(12 + 200, uint8_t(seq));
  p[0] = 0x80;
  p[1] = 96;
  p[2] = uint8_t(seq >> 8);
  p[3] = uint8_t(seq);
  p[4] = p[5] = p[6] = 0;
  p[7] = uint8_t(seq);
  p[8] = 0;
  p[9] = 0;
  p[10] = uint8_t(kSsrc >> 8);
  p[11] = uint8_t(kSsrc);
  p[12] = 0x10;
  p[13] = 0x01;  // VP8 descriptor: start of partition, not a keyframe
  return p;
}

TEST(CascadeTwoNodes, MediaOnceOutRetransmissionAndKeyframeRequestBack) {
  boost::asio::io_context io;
  const auto loopback = *net::SocketAddress::parse("127.0.0.1:0");
  Node node_a, node_b;
  CascadePort port_a(io, loopback, node_a), port_b(io, loopback, node_b);
  const uint32_t id_a = port_a.unused_link_id(), id_b = port_b.unused_link_id();
  const auto keys_a = CascadeKeys::generate(srtp::SrtpProfile::AeadAes128Gcm);
  const auto keys_b = CascadeKeys::generate(srtp::SrtpProfile::AeadAes128Gcm);
  ASSERT_TRUE(port_a.add_link(id_a, id_b, port_b.local_address(), keys_a, keys_b));
  ASSERT_TRUE(port_b.add_link(id_b, id_a, port_a.local_address(), keys_b, keys_a));
  CascadePortLink a_to_b(port_a, id_a), b_to_a(port_b, id_b);

  // Node A: alice's camera, sent to B.
  PublisherRtcp alice;
  sfu::PublicationParams params;
  params.video = true;
  params.codec_name = "VP8";
  params.clock_rate = 90000;
  params.payload_type = 96;
  params.nack = true;
  params.ssrc = kSsrc;
  sfu::TrackInfo info;
  info.sid = "TR_cam";
  info.publisher = "alice";
  info.kind = "video";
  sfu::Publication origin(info, params, alice, 7, milliseconds(500));
  sfu::CascadeUplink uplink(a_to_b);
  node_a.uplink = &uplink;
  ASSERT_TRUE(uplink.start(origin));

  // Node B: the same track from A's description of it.
  auto described = remote_track_params(describe_track(origin));
  ASSERT_TRUE(described);
  sfu::RemotePublisher remote(b_to_a, 0xB0B0, milliseconds(500));
  auto copy = remote.make(described->info, described->params, described->layer_ssrcs);
  ASSERT_TRUE(copy);
  TimePoint now = TimePoint{} + seconds(100);
  node_b.on_media = [&](std::span<uint8_t> packet) { remote.on_link_rtp(packet, now); };

  auto run = [&](const std::function<bool()>& done) {
    for (int i = 0; i < 500 && !done(); ++i) {
      io.restart();
      io.run_for(milliseconds(2));
    }
    return done();
  };

  for (uint16_t seq = 1; seq <= 10; ++seq) {
    if (seq == 5) {
      // Lost between the nodes: A keeps it, B never sees it.
      auto bytes = vp8_packet(seq);
      auto packet = rtp::RtpPacket::parse(bytes);
      uplink.stop(origin);
      origin.on_rtp(*packet, now);
      uplink.start(origin);
      continue;
    }
    auto bytes = vp8_packet(seq);
    origin.on_rtp(*rtp::RtpPacket::parse(bytes), now);
  }
  ASSERT_TRUE(run([&] { return copy->stats().packets_in >= 9; }));
  EXPECT_EQ(uplink.counters().packets_sent, 9u);
  EXPECT_FALSE(copy->find_packet(5, now));

  // B NACKs the gap; A answers from its buffer.
  for (int i = 0; i < 30 && uplink.counters().retransmissions == 0; ++i) {
    now += milliseconds(10);
    node_a.now = now;
    remote.on_tick(now);
    run([&] { return uplink.counters().retransmissions > 0; });
  }
  ASSERT_TRUE(run([&] { return copy->find_packet(5, now).has_value(); }));

  // A keyframe request from B's side reaches alice.
  copy->request_keyframe(now);
  ASSERT_TRUE(run([&] { return !alice.plis.empty(); }));
  EXPECT_EQ(alice.plis.front(), kSsrc);
  EXPECT_EQ(uplink.counters().keyframe_requests, 1u);
  EXPECT_EQ(port_b.link(id_b)->counters().rejected, 0u);
}

}  // namespace
}  // namespace ct::cascade
