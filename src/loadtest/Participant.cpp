#include "loadtest/Participant.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/Random.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "loadtest/ClientSdp.hpp"
#include "loadtest/JanusSignalClient.hpp"
#include "loadtest/SignalClient.hpp"
#include "net/UdpSocket.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpPacket.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "webrtc/DatagramSender.hpp"

namespace ct::loadtest {

using json = nlohmann::json;
using namespace client_sdp;

namespace {
constexpr uint32_t kVideoFps = 30;
constexpr uint32_t kAudioPps = 50;  // 20 ms Opus frames
constexpr size_t kAudioPayload = 120;
constexpr size_t kMaxPayload = 1200;
// A pacing step never sends more than this many packets of one stream, so a
// stalled loop catches up in steps instead of one burst that overruns buffers.
constexpr uint64_t kMaxBurst = 256;

std::unique_ptr<SignalChannel> make_signal_channel(boost::asio::io_context& io,
                                                   const SignalEndpoint& endpoint, bool publisher,
                                                   const std::string& identity) {
  if (endpoint.target == ServerTarget::Janus)
    return std::make_unique<JanusSignalClient>(io, endpoint.host, endpoint.port, endpoint.path, publisher,
                                               endpoint.room, identity);
  return std::make_unique<SignalClient>(io, endpoint.host, endpoint.port, endpoint.path);
}

void write_send_time(std::vector<uint8_t>& payload, TimePoint now) {
  auto ns = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
  for (int i = 7; i >= 0; --i, ns >>= 8) payload[Participant::kSendTimeOffset + size_t(i)] = uint8_t(ns);
}

uint32_t nonzero_ssrc() {
  uint32_t s = 0;
  while (s == 0) s = random_u32();
  return s;
}
}  // namespace

struct Participant::Sender final : webrtc::DatagramSender {
  explicit Sender(net::UdpSocket& s) : socket(s) {}
  void send_datagram(std::span<const uint8_t> datagram, const net::SocketAddress& to) override {
    socket.send(datagram, to);
  }
  net::UdpSocket& socket;
};

Participant::Participant(boost::asio::io_context& io, const dtls::DtlsCertificate& certificate,
                         const SignalEndpoint& endpoint, Config config)
    : io_(io),
      certificate_(certificate),
      config_(std::move(config)),
      signal_(make_signal_channel(io, endpoint, config_.role == Role::Publisher, config_.identity)) {
  config_.payload_bytes = std::clamp<size_t>(config_.payload_bytes, 16, kMaxPayload);
  if (config_.role == Role::Publisher) {
    video_ssrc_ = nonzero_ssrc();
    video_rtx_ssrc_ = nonzero_ssrc();
    if (config_.audio) audio_ssrc_ = nonzero_ssrc();
    // RFC 3550 §5.1: random initial sequence numbers and timestamps.
    video_sequence_ = uint16_t(random_u32());
    audio_sequence_ = uint16_t(random_u32());
    video_timestamp_ = random_u32();
    audio_timestamp_ = random_u32();
    packets_per_frame_ = std::max<uint32_t>(1, uint32_t(config_.video_pps / kVideoFps));
    video_payload_.assign(config_.payload_bytes, 0);
    for (size_t i = 0; i < video_payload_.size(); ++i) video_payload_[i] = uint8_t(i * 131 + 7);
    audio_payload_.assign(kAudioPayload, 0x5a);
  }
}

Participant::~Participant() {
  if (socket_) socket_->close();
}

void Participant::start(TimePoint now) {
  join_started_ = now;
  signal_->connect([this](const std::string& text) { on_signal(text); },
                   [this](const std::string& reason) {
                     if (!left_) fail("signaling: " + reason);
                   });
  signal_->send(
      json{{"type", "join"}, {"token", config_.token}, {"protocol", kSignalProtocolVersion}}.dump());
}

void Participant::create_transport(TimePoint now) {
  if (transport_) return;
  // Any address: the kernel sends from the one that routes to the server
  // (loopback, or a veth for a server that refuses loopback candidates).
  socket_ = std::make_unique<net::UdpSocket>(io_, *net::SocketAddress::parse("0.0.0.0:0"));
  sender_ = std::make_unique<Sender>(*socket_);
  webrtc::ClientPeerTransport::Options options;
  options.rtp_unprotect_interval = config_.unprotect_interval;
  transport_ = std::make_unique<webrtc::ClientPeerTransport>(*this, *sender_, certificate_, options, now);
  auto receive = [this](std::span<uint8_t> datagram, const net::SocketAddress& from) {
    transport_->receive_datagram(datagram, net::UdpSocket::kMaxDatagram, from, Clock::now());
  };
  if (config_.role == Role::Subscriber && config_.polled_receive)
    socket_->start_polled(receive);
  else
    socket_->start(receive);
}

bool Participant::start_transport(const std::string& server_sdp, TimePoint now) {
  if (transport_->state() != webrtc::ClientPeerTransport::State::New) return true;
  RemoteTransport remote;
  if (auto err = read_remote_transport(server_sdp, remote)) {
    fail(*err);
    return false;
  }
  if (!transport_->set_remote_parameters(
          remote.ice_ufrag, remote.ice_pwd, remote.fingerprint_algorithm, remote.fingerprint_value,
          remote.candidate, remote.remote_dtls_client ? dtls::Role::Server : dtls::Role::Client)) {
    fail("the server's fingerprint is unusable");
    return false;
  }
  transport_->start(now);
  return true;
}

void Participant::send_offer() {
  PublisherOfferParams p;
  p.transport = {transport_->local_ufrag(), transport_->local_pwd(), transport_->local_fingerprint()};
  p.cname = config_.identity;
  p.video_ssrc = video_ssrc_;
  p.video_rtx_ssrc = video_rtx_ssrc_;
  if (config_.audio) p.audio_ssrc = audio_ssrc_;
  json tracks = json::array();
  tracks.push_back({{"mid", kVideoMid}, {"source", "camera"}, {"name", "loadtest-video"}, {"muted", false}});
  if (config_.audio)
    tracks.push_back(
        {{"mid", kAudioMid}, {"source", "microphone"}, {"name", "loadtest-audio"}, {"muted", false}});
  signal_->send(json{{"type", "offer"}, {"sdp", build_publisher_offer(p)}, {"tracks", tracks}}.dump());
}

void Participant::on_signal(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) return;
  const std::string type = j["type"];
  auto now = Clock::now();
  auto sdp_of = [&j]() {
    return j.contains("sdp") && j["sdp"].is_string() ? j["sdp"].get<std::string>() : "";
  };
  if (type == "joined") {
    joined_ = true;
    if (config_.role == Role::Publisher) {
      create_transport(now);
      send_offer();
    }
  } else if (type == "answer" && config_.role == Role::Publisher && transport_) {
    start_transport(sdp_of(), now);
  } else if (type == "offer" && config_.role == Role::Subscriber) {
    create_transport(now);
    std::string answer;
    const std::string offer = sdp_of();
    if (auto err = answer_subscriber_offer(
            offer, {transport_->local_ufrag(), transport_->local_pwd(), transport_->local_fingerprint()},
            answer)) {
      fail(*err);
      return;
    }
    signal_->send(json{{"type", "answer"}, {"sdp", answer}}.dump());
    ++stats_.offers_answered;
    subscribed_tracks_ = j.contains("tracks") && j["tracks"].is_array() ? int(j["tracks"].size()) : 0;
    start_transport(offer, now);
  } else if (type == "error") {
    fail("server error " + j.value("code", std::string()) + ": " + j.value("message", std::string()));
  } else if (type == "removed") {
    fail("removed by the server: " + j.value("reason", std::string()));
  }
}

void Participant::fail(std::string reason) {
  if (error_.empty()) error_ = config_.identity + ": " + std::move(reason);
}

void Participant::start_media(TimePoint now) {
  if (config_.role != Role::Publisher) return;
  sending_ = true;
  media_start_ = now;
  video_due_base_ = stats_.video_sent;
  audio_due_base_ = stats_.audio_sent;
}

void Participant::stop_media() { sending_ = false; }

void Participant::on_tick(TimePoint now) {
  if (socket_) socket_->poll();
  if (transport_) transport_->on_tick(now);
  if (!sending_ || !connected()) return;
  double elapsed = std::chrono::duration<double>(now - media_start_).count();
  uint64_t video_due = video_due_base_ + uint64_t(elapsed * config_.video_pps);
  for (uint64_t n = 0; stats_.video_sent < video_due && n < kMaxBurst; ++n) send_video_packet();
  if (config_.audio) {
    uint64_t audio_due = audio_due_base_ + uint64_t(elapsed * kAudioPps);
    for (uint64_t n = 0; stats_.audio_sent < audio_due && n < kMaxBurst; ++n) send_audio_packet();
  }
}

void Participant::send_video_packet() {
  bool first = packet_in_frame_ == 0;
  bool last = packet_in_frame_ + 1 >= packets_per_frame_;
  bool key = false;
  if (first && keyframe_wanted_) {
    key = true;
    keyframe_wanted_ = false;
    ++stats_.keyframes_sent;
  }
  // RFC 7741 §4.2 payload descriptor: S=1 on a frame's first packet. Then
  // the VP8 frame tag (RFC 6386 §9.1): P=0 for a keyframe, show_frame=1, and
  // a keyframe's start code 9d 01 2a.
  video_payload_[0] = first ? 0x10 : 0x00;
  if (first) {
    video_payload_[1] = key ? 0x10 : 0x11;
    if (key) {
      video_payload_[4] = 0x9d;
      video_payload_[5] = 0x01;
      video_payload_[6] = 0x2a;
    }
  }
  write_send_time(video_payload_, Clock::now());
  const uint8_t mid[1] = {uint8_t(kVideoMid[0])};
  const uint8_t tcc[2] = {uint8_t(transport_sequence_ >> 8), uint8_t(transport_sequence_)};
  ++transport_sequence_;
  size_t length = rtp::RtpPacketBuilder()
                      .marker(last)
                      .payload_type(kVp8Pt)
                      .sequence_number(video_sequence_++)
                      .timestamp(video_timestamp_)
                      .ssrc(video_ssrc_)
                      .add_extension(kTransportCcId, tcc)
                      .add_extension(kMidId, mid)
                      .payload(video_payload_)
                      .build(packet_);
  if (length != 0 && transport_->send_rtp(packet_, length)) ++stats_.video_sent;
  if (last) {
    video_timestamp_ += 90000 / kVideoFps;
    packet_in_frame_ = 0;
  } else {
    ++packet_in_frame_;
  }
}

void Participant::send_audio_packet() {
  write_send_time(audio_payload_, Clock::now());
  const uint8_t level[1] = {0x80 | 30};  // RFC 6464: voice, -30 dBov
  const uint8_t mid[1] = {uint8_t(kAudioMid[0])};
  const uint8_t tcc[2] = {uint8_t(transport_sequence_ >> 8), uint8_t(transport_sequence_)};
  ++transport_sequence_;
  size_t length = rtp::RtpPacketBuilder()
                      .payload_type(kOpusPt)
                      .sequence_number(audio_sequence_++)
                      .timestamp(audio_timestamp_)
                      .ssrc(audio_ssrc_)
                      .add_extension(kAudioLevelId, level)
                      .add_extension(kTransportCcId, tcc)
                      .add_extension(kMidId, mid)
                      .payload(audio_payload_)
                      .build(packet_);
  audio_timestamp_ += 48000 / kAudioPps;
  if (length != 0 && transport_->send_rtp(packet_, length)) ++stats_.audio_sent;
}

void Participant::on_client_connected(webrtc::ClientPeerTransport&) {}

void Participant::on_client_rtp(webrtc::ClientPeerTransport&, std::span<uint8_t> packet) {
  auto rtp = rtp::RtpPacket::parse(packet);
  if (!rtp) return;
  auto payload = rtp->payload();
  if (payload.size() < kSendTimeOffset + 8) return;
  uint64_t ns = 0;
  for (size_t i = 0; i < 8; ++i) ns = (ns << 8) | payload[kSendTimeOffset + i];
  const auto now_ns =
      uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
  if (ns > now_ns) return;  // not a send time of ours
  latency_.record(std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(int64_t(now_ns - ns))));
}

void Participant::on_client_rtcp(webrtc::ClientPeerTransport&, std::span<uint8_t> compound) {
  rtp::RtcpCompound packets(compound);
  while (auto packet = packets.next()) {
    if (packet->type() == rtp::rtcp_type::kPayloadFeedback &&
        (packet->count() == rtp::rtcp_fmt::kPli || packet->count() == rtp::rtcp_fmt::kFir)) {
      // RFC 4585 §6.3.1 / RFC 5104 §4.3.1: the next frame is a keyframe.
      ++stats_.keyframe_requests;
      keyframe_wanted_ = true;
    } else if (packet->type() == rtp::rtcp_type::kTransportFeedback &&
               packet->count() == rtp::rtcp_fmt::kNack) {
      ++stats_.nacks_received;
    }
  }
}

void Participant::on_client_closed(webrtc::ClientPeerTransport&, std::string_view reason) {
  // Closing after leave() is expected; anything earlier is a failure.
  if (!left_) fail("transport closed: " + std::string(reason));
}

void Participant::leave() {
  left_ = true;
  sending_ = false;
  signal_->send(json{{"type", "leave"}}.dump());
  signal_->close();
  if (transport_) transport_->close("leave");
}

bool Participant::connected() const {
  return transport_ && transport_->state() == webrtc::ClientPeerTransport::State::Connected;
}

Duration Participant::setup_time() const {
  if (!transport_ || transport_->connected_at() == TimePoint{}) return Duration::zero();
  return transport_->connected_at() - join_started_;
}

Participant::Stats Participant::stats() const {
  Stats s = stats_;
  if (transport_) {
    const auto& t = transport_->stats();
    s.rtp_received = t.rtp_packets_in;
    s.rtp_unprotected = t.rtp_packets_unprotected;
    s.srtp_errors = t.srtp_errors;
  }
  if (socket_) {
    const auto& u = socket_->stats();
    s.datagrams_sent = u.sent_packets;
    s.datagrams_received = u.received_packets;
    s.send_errors = u.send_errors;
  }
  return s;
}

std::string Participant::srtp_profile() const { return transport_ ? transport_->srtp_profile_name() : ""; }

}  // namespace ct::loadtest
