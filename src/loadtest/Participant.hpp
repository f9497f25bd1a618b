#pragma once
// One synthetic participant of a load test: it joins over /rtc and
// runs one real WebRTC connection (ICE, DTLS, SRTP) from its own UDP socket.
// A publisher offers a VP8 track (and optionally Opus), then sends paced,
// VP8-shaped RTP (a PayloadStamp in every payload) and answers PLI/FIR with a
// keyframe-marked frame; a subscriber answers the server's offers and counts
// the RTP it receives, unprotecting a sample of it and measuring its latency. With simulcast a publisher
// sends three SyntheticVp8Layers (answering PLI/FIR per layer and obeying dynacast's layers_wanted), and a
// subscriber cycles the tile size it asks for and checks every video packet with a StreamContinuity.
// Everything runs on the caller's io_context thread; the hot paths allocate nothing.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "loadtest/LatencyHistogram.hpp"
#include "loadtest/SignalChannel.hpp"
#include "loadtest/StreamContinuity.hpp"
#include "loadtest/SyntheticVp8Layer.hpp"
#include "webrtc/ClientPeerTransport.hpp"

namespace boost::asio {
class io_context;
}
namespace ct::dtls {
class DtlsCertificate;
}
namespace ct::net {
class UdpSocket;
}

namespace ct::loadtest {

struct SignalEndpoint {
  std::string host;
  uint16_t port = 0;
  std::string path = "/rtc";
  ServerTarget target = ServerTarget::CipherTalk;
  std::string room;  // Janus: the VideoRoom to join (CipherTalk's room is in the token)
};

class Participant final : public webrtc::ClientPeerTransport::Listener {
 public:
  enum class Role { Publisher, Subscriber };

  struct Config {
    Role role = Role::Subscriber;
    std::string identity;
    std::string token;
    double video_pps = 1000;  // publisher: video packets per second
    size_t payload_bytes = 1100;
    bool audio = false;                // publisher: also 50 Opus-sized packets per second
    uint32_t unprotect_interval = 64;  // subscriber: authenticate one packet in this many
    // Subscriber: read the socket on every tick instead of being woken per
    // datagram, so the server's sends never pay for waking this process
    // (remote subscribers on a real network cost it nothing either).
    bool polled_receive = true;
    // The media socket's local address. A server that refuses loopback
    // candidates (Janus) is reached over another interface: bind its address.
    std::string bind_address = "127.0.0.1";
    bool bind_signaling = false;  // the WebSocket's TCP connection's too
    // Simulcast: a publisher sends three layers, the top one at video_pps
    // (layer_params); a subscriber asks for small, medium, large, medium
    // tiles in turn, one step per interval, starting at step `switch_phase`.
    bool simulcast = false;
    Duration layer_switch_interval = seconds(2);
    unsigned switch_phase = 0;
    uint16_t source = 0;   // publisher: its number in its room, stamped into each payload
    unsigned sources = 1;  // subscriber: the publishers whose video it checks
  };

  // A simulcast publisher's layers, lowest first: 320x180 at 1/6 of the top
  // rate with half-size payloads, 640x360 at 1/3, 1280x720 at `video_pps`;
  // 30 frames per second each.
  static std::vector<SyntheticVp8Layer::Params> layer_params(double video_pps, size_t payload_bytes,
                                                             uint16_t source);

  struct Stats {
    uint64_t video_sent = 0, audio_sent = 0;
    uint64_t keyframe_requests = 0, keyframes_sent = 0, nacks_received = 0;
    uint64_t rtp_received = 0, rtp_unprotected = 0, srtp_errors = 0;
    uint32_t offers_answered = 0;
    uint64_t datagrams_sent = 0, datagrams_received = 0, send_errors = 0;  // the UDP socket's own counts
    // Simulcast publisher: packets per layer. Subscriber: its video tracks'
    // checks, summed, and the tile-size changes it asked for.
    std::array<uint64_t, StreamContinuity::kLayers> layer_packets_sent{};
    uint64_t layer_pauses = 0;  // layers_wanted set a layer inactive
    StreamContinuity::Stats video;
    uint64_t switch_requests = 0;
  };

  Participant(boost::asio::io_context& io, const dtls::DtlsCertificate& certificate,
              const SignalEndpoint& endpoint, Config config);
  ~Participant() override;
  Participant(const Participant&) = delete;
  Participant& operator=(const Participant&) = delete;

  // Connects the WebSocket and joins; the publisher then offers, a
  // subscriber waits for the server's offer.
  void start(TimePoint now);
  // Publisher: begin (and end) paced sending. Timestamps and sequence numbers run on.
  void start_media(TimePoint now);
  void stop_media();
  // Pacing, ICE/DTLS timers. Call every few milliseconds.
  void on_tick(TimePoint now);
  // Sends `leave`, closes DTLS and the WebSocket.
  void leave();

  bool connected() const;  // the media transport is up
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  // Subscriber: the tracks in the last offer it answered.
  int subscribed_tracks() const { return subscribed_tracks_; }
  // Join sent -> transport connected.
  Duration setup_time() const;
  // Join sent -> first media: a subscriber's first stamped RTP packet, a
  // publisher's connected transport (it sends from then on); zero before.
  Duration first_media_time() const;
  const Config& config() const { return config_; }
  Stats stats() const;
  std::string srtp_profile() const;
  // Subscriber: forward latency of the packets it unprotected (the send
  // time in each payload's PayloadStamp to the read; with polled receive,
  // the read is the next tick).
  const LatencyHistogram& latency() const { return latency_; }

 private:
  void on_client_connected(webrtc::ClientPeerTransport&) override;
  void on_client_rtp(webrtc::ClientPeerTransport&, std::span<uint8_t> packet) override;
  void on_client_rtcp(webrtc::ClientPeerTransport&, std::span<uint8_t> compound) override;
  void on_client_closed(webrtc::ClientPeerTransport&, std::string_view reason) override;

  void on_signal(const std::string& text);
  void fail(std::string reason);
  void send_offer();
  void create_transport(TimePoint now);
  bool start_transport(const std::string& server_sdp, TimePoint now);
  void send_video_packet();
  void send_audio_packet();
  void send_layer_packet(SyntheticVp8Layer& layer, TimePoint now);
  void on_layers_wanted(const std::string& text, TimePoint now);
  void request_next_tile_size(TimePoint now);
  SyntheticVp8Layer* layer_of(uint32_t ssrc);

  struct Sender;  // the socket adapter
  boost::asio::io_context& io_;
  const dtls::DtlsCertificate& certificate_;
  Config config_;
  std::unique_ptr<SignalChannel> signal_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<Sender> sender_;
  std::unique_ptr<webrtc::ClientPeerTransport> transport_;
  std::string error_;
  TimePoint join_started_{};
  bool joined_ = false;
  bool left_ = false;
  int subscribed_tracks_ = 0;
  TimePoint first_media_at_{};  // subscriber: its first stamped RTP packet
  Stats stats_;
  LatencyHistogram latency_;

  // Publisher media state.
  bool sending_ = false;
  TimePoint media_start_{};
  uint64_t video_due_base_ = 0, audio_due_base_ = 0;
  uint32_t video_ssrc_ = 0, video_rtx_ssrc_ = 0, audio_ssrc_ = 0;
  uint16_t video_sequence_ = 0, audio_sequence_ = 0, transport_sequence_ = 0;
  uint32_t video_timestamp_ = 0, audio_timestamp_ = 0;
  uint32_t packets_per_frame_ = 1, packet_in_frame_ = 0;
  bool keyframe_wanted_ = true;  // the first frame is a keyframe
  std::vector<uint8_t> video_payload_, audio_payload_;
  std::array<uint8_t, 1500> packet_{};

  // Simulcast publisher.
  std::vector<SyntheticVp8Layer> layers_;
  // Simulcast subscriber: a check per publisher, the video tracks it receives.
  std::vector<StreamContinuity> continuity_;
  uint64_t unstamped_ = 0;
  std::vector<std::string> video_sids_;
  TimePoint next_switch_{};
  unsigned switch_step_ = 0;
};

}  // namespace ct::loadtest
