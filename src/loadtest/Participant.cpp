#include "loadtest/Participant.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/Random.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "loadtest/ClientSdp.hpp"
#include "loadtest/JanusSignalClient.hpp"
#include "loadtest/PayloadStamp.hpp"
#include "loadtest/SignalClient.hpp"
#include "net/UdpSocket.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpPacket.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "rtp/Vp8Payload.hpp"
#include "webrtc/DatagramSender.hpp"

namespace ct::loadtest {

using json = nlohmann::json;
using namespace client_sdp;

namespace {
constexpr uint32_t kVideoFps = 30;
constexpr uint32_t kAudioPps = 50;  // 20 ms Opus frames
constexpr size_t kAudioPayload = 120;
constexpr size_t kMaxPayload = 1200;
// The VP8 descriptor's one byte, then the data with its stamp.
constexpr size_t kMinPayload = 1 + PayloadStamp::kOffset + PayloadStamp::kSize;
// A pacing step never sends more than this many packets of one stream, so a
// stalled loop catches up in steps instead of one burst that overruns buffers.
constexpr uint64_t kMaxBurst = 256;

std::unique_ptr<SignalChannel> make_signal_channel(boost::asio::io_context& io,
                                                   const SignalEndpoint& endpoint, bool publisher,
                                                   const std::string& identity,
                                                   const std::string& bind_address) {
  if (endpoint.target == ServerTarget::Janus)
    return std::make_unique<JanusSignalClient>(io, endpoint.host, endpoint.port, endpoint.path, bind_address,
                                               publisher, endpoint.room, identity);
  return std::make_unique<SignalClient>(io, endpoint.host, endpoint.port, endpoint.path, bind_address);
}

// The tile sizes a simulcast subscriber asks for in turn (docs/protocol.md:
// the smallest layer that fills the tile is sent): each layer of a 1280x720
// capture, up and down again, so it switches up and down one layer at a time.
constexpr struct { int width, height; } kTileCycle[] = {{320, 180}, {640, 360}, {1280, 720}, {640, 360}};
constexpr size_t kTileSteps = sizeof(kTileCycle) / sizeof(kTileCycle[0]);

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
      signal_(make_signal_channel(io, endpoint, config_.role == Role::Publisher, config_.identity,
                                  config_.bind_signaling ? config_.bind_address : std::string())) {
  config_.payload_bytes = std::clamp<size_t>(config_.payload_bytes, kMinPayload, kMaxPayload);
  if (config_.simulcast && config_.role == Role::Publisher) {
    for (auto& params : layer_params(config_.video_pps, config_.payload_bytes, config_.source))
      layers_.emplace_back(std::move(params), nonzero_ssrc());
  }
  if (config_.simulcast && config_.role == Role::Subscriber) {
    continuity_.resize(std::max(1u, config_.sources));
    switch_step_ = config_.switch_phase % kTileSteps;
  }
  if (config_.role == Role::Publisher) {
    video_ssrc_ = nonzero_ssrc();
    video_rtx_ssrc_ = nonzero_ssrc();
    if (config_.audio) audio_ssrc_ = nonzero_ssrc();
    // RFC 3550 §5.1: random initial sequence numbers and timestamps.
    video_sequence_ = random_sequence_start();
    audio_sequence_ = random_sequence_start();
    video_timestamp_ = random_u32();
    audio_timestamp_ = random_u32();
    packets_per_frame_ = std::max<uint32_t>(1, uint32_t(config_.video_pps / kVideoFps));
    video_payload_.assign(config_.payload_bytes, 0);
    for (size_t i = 0; i < video_payload_.size(); ++i) video_payload_[i] = uint8_t(i * 131 + 7);
    audio_payload_.assign(kAudioPayload, 0x5a);
  }
}

std::vector<SyntheticVp8Layer::Params> Participant::layer_params(double video_pps, size_t payload_bytes,
                                                                 uint16_t source) {
  std::vector<SyntheticVp8Layer::Params> layers = {
      {"q", source, 0, 320, 180, video_pps / 6, payload_bytes / 2, kVideoFps},
      {"h", source, 1, 640, 360, video_pps / 3, payload_bytes, kVideoFps},
      {"f", source, 2, 1280, 720, video_pps, payload_bytes, kVideoFps},
  };
  return layers;
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
  auto local = net::SocketAddress::parse_ip(config_.bind_address, 0);
  if (!local) {
    fail("bad bind address " + config_.bind_address);
    return;
  }
  socket_ = std::make_unique<net::UdpSocket>(io_, *local);
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
  for (const auto& layer : layers_) p.video_rids.push_back(layer.params().rid);
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
      if (transport_) send_offer();
    }
  } else if (type == "answer" && config_.role == Role::Publisher && transport_) {
    start_transport(sdp_of(), now);
  } else if (type == "offer" && config_.role == Role::Subscriber) {
    create_transport(now);
    if (!transport_) return;
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
    video_sids_.clear();
    if (subscribed_tracks_ > 0) {
      for (const auto& t : j["tracks"]) {
        if (t.is_object() && t.value("kind", "") == "video" && t.contains("sid") && t["sid"].is_string())
          video_sids_.push_back(t["sid"].get<std::string>());
      }
    }
    start_transport(offer, now);
  } else if (type == "layers_wanted" && !layers_.empty()) {
    on_layers_wanted(text, now);
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
  for (auto& layer : layers_) layer.start(now);
}

void Participant::stop_media() { sending_ = false; }

void Participant::on_tick(TimePoint now) {
  if (socket_) socket_->poll();
  if (transport_) transport_->on_tick(now);
  if (!continuity_.empty() && connected() && !video_sids_.empty() && now >= next_switch_)
    request_next_tile_size(now);
  if (!sending_ || !connected()) return;
  double elapsed = std::chrono::duration<double>(now - media_start_).count();
  if (layers_.empty()) {
    uint64_t video_due = video_due_base_ + uint64_t(elapsed * config_.video_pps);
    for (uint64_t n = 0; stats_.video_sent < video_due && n < kMaxBurst; ++n) send_video_packet();
  }
  for (auto& layer : layers_) {
    for (uint64_t n = 0, due = std::min(layer.due(now), kMaxBurst); n < due; ++n)
      send_layer_packet(layer, now);
  }
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
  PayloadStamp{config_.source, 0, PayloadStamp::time_us(Clock::now())}.write(
      std::span(video_payload_).subspan(1));
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

void Participant::send_layer_packet(SyntheticVp8Layer& layer, TimePoint now) {
  const SyntheticVp8Layer::Wire wire{kVp8Pt, kTransportCcId, kMidId, kRidId, kVideoMid[0]};
  const uint64_t keyframes = layer.stats().keyframes_sent;
  size_t length = layer.next_packet(packet_, wire, transport_sequence_++, now);
  stats_.keyframes_sent += layer.stats().keyframes_sent - keyframes;
  if (length != 0 && transport_->send_rtp(packet_, length)) ++stats_.video_sent;
}

void Participant::on_layers_wanted(const std::string& text, TimePoint now) {
  // docs/protocol.md: {sid, layers: [{rid, active}]}; the browser sets
  // `active` on the matching encodings.
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("layers") || !j["layers"].is_array()) return;
  for (const auto& wanted : j["layers"]) {
    if (!wanted.is_object() || !wanted.contains("rid") || !wanted["rid"].is_string()) continue;
    const bool active = wanted.value("active", true);
    for (auto& layer : layers_) {
      if (layer.params().rid == wanted["rid"].get<std::string>()) layer.set_active(active, now);
    }
  }
}

void Participant::request_next_tile_size(TimePoint now) {
  const auto& tile = kTileCycle[switch_step_];
  for (const auto& sid : video_sids_) {
    signal_->send(
        json{{"type", "update_track_settings"}, {"sid", sid}, {"width", tile.width}, {"height", tile.height}}
            .dump());
  }
  ++stats_.switch_requests;
  switch_step_ = (switch_step_ + 1) % kTileSteps;
  next_switch_ = now + config_.layer_switch_interval;
}

SyntheticVp8Layer* Participant::layer_of(uint32_t ssrc) {
  for (auto& layer : layers_) {
    if (layer.ssrc() == ssrc) return &layer;
  }
  return nullptr;
}

void Participant::send_audio_packet() {
  PayloadStamp{config_.source, 0, PayloadStamp::time_us(Clock::now())}.write(audio_payload_);
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

void Participant::on_client_rtp(webrtc::ClientPeerTransport&, std::span<uint8_t> bytes) {
  auto packet = rtp::RtpPacket::parse(bytes);
  if (!packet) return;
  const auto vp8 = rtp::Vp8Payload::parse(packet->payload());
  auto stamp = vp8 ? PayloadStamp::read(vp8->data) : std::nullopt;
  const bool video = stamp.has_value();
  if (!stamp) stamp = PayloadStamp::read(packet->payload());  // audio: stamped from its first byte
  if (!stamp) {
    ++unstamped_;  // padding, RTX
    return;
  }
  const TimePoint now = Clock::now();
  if (first_media_at_ == TimePoint{}) first_media_at_ = now;
  latency_.record(stamp->age(now));
  if (!video || continuity_.empty()) return;
  if (stamp->source >= continuity_.size()) {
    ++unstamped_;
    return;
  }
  continuity_[stamp->source].on_packet(*packet);
}

void Participant::on_client_rtcp(webrtc::ClientPeerTransport&, std::span<uint8_t> compound) {
  rtp::RtcpCompound packets(compound);
  while (auto packet = packets.next()) {
    if (!layers_.empty() && packet->type() == rtp::rtcp_type::kPayloadFeedback) {
      // RFC 4585 §6.3.1 / RFC 5104 §4.3.1: the next frame of the named layer is a keyframe.
      if (auto pli = rtp::RtcpPli::parse(*packet)) {
        ++stats_.keyframe_requests;
        if (auto* layer = layer_of(pli->media_ssrc())) layer->request_keyframe();
      } else if (auto fir = rtp::RtcpFir::parse(*packet)) {
        ++stats_.keyframe_requests;
        for (size_t i = 0; i < fir->entry_count(); ++i) {
          if (auto* layer = layer_of(fir->entry(i).ssrc)) layer->request_keyframe();
        }
      }
    } else if (!layers_.empty() && packet->type() == rtp::rtcp_type::kReceiverReport) {
      // The server receives this SSRC: the RID has done its work (RFC 8852 §3).
      if (auto rr = rtp::RtcpReceiverReport::parse(*packet)) {
        for (size_t i = 0; i < rr->report_count(); ++i) {
          if (auto* layer = layer_of(rr->report_block(i).ssrc)) layer->confirm_ssrc();
        }
      }
    } else if (packet->type() == rtp::rtcp_type::kPayloadFeedback &&
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

Duration Participant::first_media_time() const {
  if (config_.role == Role::Publisher) return setup_time();
  if (first_media_at_ == TimePoint{}) return Duration::zero();
  return first_media_at_ - join_started_;
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
  for (const auto& layer : layers_) {
    s.layer_packets_sent[layer.params().index] = layer.stats().packets_sent;
    s.layer_pauses += layer.stats().pauses;
  }
  for (const auto& c : continuity_) {
    const auto& v = c.stats();
    s.video.packets += v.packets;
    for (size_t i = 0; i < v.layer_packets.size(); ++i) s.video.layer_packets[i] += v.layer_packets[i];
    s.video.layer_switches += v.layer_switches;
    s.video.discontinuities += v.discontinuities;
    s.video.lost += v.lost;
    s.video.late += v.late;
    s.video.unstamped += v.unstamped;
  }
  s.video.unstamped += unstamped_;
  return s;
}

std::string Participant::srtp_profile() const { return transport_ ? transport_->srtp_profile_name() : ""; }

}  // namespace ct::loadtest
