#pragma once
// A room on a real MediaPort on loopback, and browsers made of in-memory
// WebRTC endpoints on loopback UDP sockets: the whole SFU path (ICE, DTLS,
// SRTP, forwarding, RTCP) runs, driven by one io_context on the test thread.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../../support/TestPeer.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "net/UdpSocket.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "sdp/SessionDescription.hpp"
#include "sfu/Room.hpp"
#include "webrtc/MediaPort.hpp"

namespace ct::sfu::testing {

struct RecordingSink final : ParticipantSink {
  void deliver(RoomEvent event) override { events.push_back(std::move(event)); }
  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& e : events)
      if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
    return out;
  }
  template <class T>
  size_t count() const {
    return all<T>().size();
  }
  template <class T>
  T last() const {
    auto v = all<T>();
    EXPECT_FALSE(v.empty());
    return v.empty() ? T{} : v.back();
  }
  std::vector<RoomEvent> events;
};

// One endpoint on its own loopback socket, talking to the room's port.
struct Endpoint {
  Endpoint(boost::asio::io_context& io, net::SocketAddress server)
      : socket(io, *net::SocketAddress::parse("127.0.0.1:0")),
        server(server),
        peer([this](std::span<const uint8_t> d) { socket.send(d, this->server); }) {
    socket.start([this](std::span<uint8_t> d, const net::SocketAddress&) { peer.receive(d, Clock::now()); });
  }
  net::UdpSocket socket;
  net::SocketAddress server;
  test::TestPeer peer;
};

struct Track {
  std::string mid;
  bool video = false;
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  bool sending = true;
  bool signal_ssrcs = true;  // a=ssrc lines; otherwise the server learns them from MID
};

// Publisher-connection extension ids, as Chromium numbers them.
inline constexpr uint8_t kPubAudioLevel = 1, kPubAbsSendTime = 2, kPubTransportCc = 3, kPubMid = 4;

// `data`: a data channel section (mid "dc") first, as Chromium offers it
// when the page creates its channels before adding tracks.
inline std::string publisher_offer_sdp(const test::TestPeer& peer, const std::vector<Track>& tracks,
                                       bool data = false) {
  std::string s = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
  if (data) s += " dc";
  for (const auto& t : tracks) s += " " + t.mid;
  s += "\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS stream\r\n";
  if (data) {
    s += "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n";
    s += "a=ice-ufrag:" + peer.ufrag() + "\r\na=ice-pwd:" + peer.pwd() + "\r\n";
    s += "a=fingerprint:sha-256 " + peer.fingerprint() + "\r\na=setup:actpass\r\n";
    s += "a=mid:dc\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";
  }
  for (const auto& t : tracks) {
    s += t.video ? "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n" : "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    s += "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n";
    s += "a=ice-ufrag:" + peer.ufrag() + "\r\na=ice-pwd:" + peer.pwd() + "\r\n";
    s += "a=fingerprint:sha-256 " + peer.fingerprint() + "\r\na=setup:actpass\r\n";
    s += "a=mid:" + t.mid + "\r\n";
    if (!t.video) s += "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n";
    s += "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n";
    s += "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n";
    s += "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
    s += t.sending ? "a=sendonly\r\n" : "a=inactive\r\n";
    s += "a=msid:stream track" + t.mid + "\r\na=rtcp-mux\r\na=rtcp-rsize\r\n";
    if (t.video) {
      s += "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\n"
           "a=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
           "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n";
      if (t.sending && t.signal_ssrcs) {
        s += "a=ssrc-group:FID " + std::to_string(t.ssrc) + " " + std::to_string(t.rtx_ssrc) + "\r\n";
        s += "a=ssrc:" + std::to_string(t.ssrc) + " cname:test\r\n";
        s += "a=ssrc:" + std::to_string(t.rtx_ssrc) + " cname:test\r\n";
      }
    } else {
      s += "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n";
      if (t.sending && t.signal_ssrcs) s += "a=ssrc:" + std::to_string(t.ssrc) + " cname:test\r\n";
    }
  }
  return s;
}

// What a browser answers to the server's subscriber offer: every live
// section recvonly, setup:active, its own ICE and fingerprint.
inline std::string subscriber_answer_sdp(const test::TestPeer& peer, const std::string& offer_sdp) {
  auto offer = sdp::SessionDescription::parse(offer_sdp);
  EXPECT_TRUE(offer.ok());
  sdp::SessionDescription answer = offer.value();
  answer.ice_lite = false;
  answer.msid_semantic.reset();
  for (auto& m : answer.media) {
    m.ssrcs.clear();
    m.ssrc_groups.clear();
    m.msids.clear();
    m.candidates.clear();
    m.end_of_candidates = false;
    if (m.port == 0) continue;
    m.ice_ufrag = peer.ufrag();
    m.ice_pwd = peer.pwd();
    m.fingerprints = {sdp::Fingerprint{"sha-256", peer.fingerprint()}};
    m.setup = sdp::Setup::active;
    if (m.media != "application") m.direction = sdp::Direction::recvonly;
  }
  return answer.serialize();
}

// ICE and fingerprint of the first live section of a server description.
inline void take_remote(test::TestPeer& peer, const std::string& sdp_text) {
  auto d = sdp::SessionDescription::parse(sdp_text);
  ASSERT_TRUE(d.ok()) << d.error();
  for (const auto& m : d->media) {
    if (m.port == 0) continue;
    ASSERT_FALSE(m.fingerprints.empty());
    peer.set_remote(m.ice_ufrag, m.ice_pwd, m.fingerprints.front().value);
    return;
  }
  FAIL() << "no live section";
}

struct Browser {
  Browser(boost::asio::io_context& io, net::SocketAddress server, std::string identity)
      : identity(std::move(identity)), publisher(io, server), subscriber(io, server) {}
  std::string identity;
  std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
  Endpoint publisher;
  Endpoint subscriber;
  size_t offers_answered = 0;
};

class RoomFixture : public ::testing::Test {
 protected:
  void make_room(RoomOptions options = {}) {
    port = std::make_unique<webrtc::MediaPort>(io, *net::SocketAddress::parse("127.0.0.1:0"), "");
    port->start();
    room = std::make_unique<Room>("test-room", options, *port, certificate);
  }
  void TearDown() override {
    room.reset();
    browsers.clear();
    if (port) port->close();
  }

  // Joins as a browser does: the first subscriber offer (data channels, and
  // whatever the room already publishes) is answered and its connection
  // brought up, unless `answer_first_offer` is false.
  Browser& join(const std::string& identity, ParticipantInfo info = {}, bool answer_first_offer = true) {
    info.identity = identity;
    if (info.name.empty()) info.name = identity;
    browsers.push_back(std::make_unique<Browser>(io, port->candidate_address(), identity));
    Browser& b = *browsers.back();
    auto error = room->join(info, b.sink, Clock::now());
    EXPECT_FALSE(error.has_value());
    if (answer_first_offer && b.sink->count<event::SubscriberOffer>() > 0) answer_offer(b);
    return b;
  }

  // Runs the network and the room's timers until `done` or the timeout.
  bool run_until(const std::function<bool()>& done, Duration timeout = seconds(5)) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
      io.restart();
      io.run_for(milliseconds(2));
      auto now = Clock::now();
      room->on_tick(now);
      for (auto& b : browsers) {
        b->publisher.peer.tick(now);
        b->subscriber.peer.tick(now);
      }
      if (done()) return true;
      if (now > deadline) return false;
    }
  }
  void run_for(Duration d) {
    run_until([] { return false; }, d);
  }

  // Publishes `tracks` and brings the publisher connection up.
  void publish(Browser& b, const std::vector<Track>& tracks, const std::vector<TrackMeta>& meta = {}) {
    size_t answers = b.sink->count<event::PublisherAnswer>();
    room->publisher_offer(b.identity, publisher_offer_sdp(b.publisher.peer, tracks), meta, Clock::now());
    ASSERT_EQ(b.sink->count<event::PublisherAnswer>(), answers + 1) << "no publisher answer";
    if (!b.publisher.peer.connected()) {
      take_remote(b.publisher.peer, b.sink->last<event::PublisherAnswer>().sdp);
      b.publisher.peer.send_check();
      ASSERT_TRUE(run_until([&] { return b.publisher.peer.connected(); })) << "publisher did not connect";
    }
  }

  // Answers the latest subscriber offer and brings the subscriber connection up.
  void answer_offer(Browser& b) {
    auto offer = b.sink->last<event::SubscriberOffer>();
    room->subscriber_answer(b.identity, subscriber_answer_sdp(b.subscriber.peer, offer.sdp));
    ++b.offers_answered;
    if (!b.subscriber.peer.connected()) {
      take_remote(b.subscriber.peer, offer.sdp);
      b.subscriber.peer.send_check();
      ASSERT_TRUE(run_until([&] { return b.subscriber.peer.connected(); })) << "subscriber did not connect";
    }
  }

  boost::asio::io_context io;
  dtls::DtlsCertificate certificate;
  std::unique_ptr<webrtc::MediaPort> port;
  std::unique_ptr<Room> room;
  std::vector<std::unique_ptr<Browser>> browsers;
};

struct SentPacket {
  std::vector<uint8_t> bytes;
};

// A VP8-like packet as Chromium sends it: MID, abs-send-time, transport-cc.
inline std::vector<uint8_t> video_packet(uint32_t ssrc, uint16_t seq, uint32_t ts, uint16_t twcc, std::string_view mid,
                                         size_t payload_size = 300) {
  std::vector<uint8_t> payload(payload_size);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = uint8_t(seq + i);
  const uint8_t abs[3] = {0x12, 0x34, 0x56};
  const uint8_t tcc[2] = {uint8_t(twcc >> 8), uint8_t(twcc)};
  std::vector<uint8_t> out(1500);
  size_t n = rtp::RtpPacketBuilder()
                 .payload_type(96)
                 .sequence_number(seq)
                 .timestamp(ts)
                 .ssrc(ssrc)
                 .add_extension(kPubAbsSendTime, abs)
                 .add_extension(kPubTransportCc, tcc)
                 .add_extension(kPubMid, std::span(reinterpret_cast<const uint8_t*>(mid.data()), mid.size()))
                 .payload(payload)
                 .build(out);
  out.resize(n);
  return out;
}

inline std::vector<uint8_t> audio_packet(uint32_t ssrc, uint16_t seq, uint32_t ts, uint8_t level, std::string_view mid) {
  std::vector<uint8_t> payload(60, 0x5a);
  const uint8_t audio_level[1] = {uint8_t(0x80 | level)};
  std::vector<uint8_t> out(1500);
  size_t n = rtp::RtpPacketBuilder()
                 .payload_type(111)
                 .sequence_number(seq)
                 .timestamp(ts)
                 .ssrc(ssrc)
                 .add_extension(kPubAudioLevel, audio_level)
                 .add_extension(kPubMid, std::span(reinterpret_cast<const uint8_t*>(mid.data()), mid.size()))
                 .payload(payload)
                 .build(out);
  out.resize(n);
  return out;
}

// The SSRCs the server declared for a subscriber-connection mid.
inline std::pair<uint32_t, uint32_t> offered_ssrcs(const std::string& offer_sdp, const std::string& mid) {
  auto d = sdp::SessionDescription::parse(offer_sdp);
  if (!d) return {0, 0};
  const auto* m = d->find_media(mid);
  if (!m) return {0, 0};
  for (const auto& g : m->ssrc_groups)
    if (g.semantics == "FID" && g.ssrcs.size() == 2) return {g.ssrcs[0], g.ssrcs[1]};
  return {m->ssrcs.empty() ? 0 : m->ssrcs.front().ssrc, 0};
}

// PLIs in the RTCP a test endpoint received, for `media_ssrc`.
inline size_t count_plis(const test::TestPeer& peer, uint32_t media_ssrc) {
  size_t n = 0;
  for (const auto& d : peer.rtcp_received) {
    rtp::RtcpCompound c(d);
    while (auto p = c.next()) {
      if (p->type() != rtp::rtcp_type::kPayloadFeedback || p->count() != rtp::rtcp_fmt::kPli) continue;
      if (auto pli = rtp::RtcpPli::parse(*p); pli && pli->media_ssrc() == media_ssrc) ++n;
    }
  }
  return n;
}

}  // namespace ct::sfu::testing
