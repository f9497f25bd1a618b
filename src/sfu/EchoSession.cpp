#include "sfu/EchoSession.hpp"

#include <algorithm>

#include "core/Log.hpp"
#include "core/Random.hpp"
#include "rtp/RtcpSsrcRewriter.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"
#include "webrtc/MediaPort.hpp"
#include "webrtc/TransportDescription.hpp"

namespace ct::sfu {

static constexpr std::string_view kMidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";

static sdp::CodecPolicy echo_policy() {
  sdp::CodecPolicy policy = sdp::CodecPolicy::defaults();
  // The echo reflects the client's own feedback to itself, so every feedback
  // type works without the server generating any. No data channels here.
  policy.data_channels = false;
  return policy;
}

EchoSession::EchoSession(Key, webrtc::MediaPort& port, const dtls::DtlsCertificate& certificate,
                         const Options& options, TimePoint now)
    : port_(port), transport_(std::make_unique<webrtc::PeerTransport>(*this, port, certificate, options.transport, now)) {}

EchoSession::~EchoSession() { port_.remove(*transport_); }

EchoSession::Created EchoSession::create(const std::string& offer_sdp, webrtc::MediaPort& port,
                                         const dtls::DtlsCertificate& certificate, const Options& options,
                                         TimePoint now) {
  Created out;
  auto offer = sdp::SessionDescription::parse(offer_sdp);
  if (!offer) {
    out.error = "malformed SDP offer: " + offer.error();
    return out;
  }
  auto negotiation = sdp::negotiate(*offer, echo_policy());
  if (!negotiation) {
    out.error = "unusable SDP offer: " + negotiation.error();
    return out;
  }
  for (const auto& w : negotiation->warnings) spdlog::debug("echo offer: {}", w);

  auto session = std::make_unique<EchoSession>(Key(), port, certificate, options, now);
  auto& transport = *session->transport_;
  transport.set_remote_parameters(negotiation->remote_ice_ufrag, negotiation->remote_ice_pwd,
                                  negotiation->remote_fingerprint.algorithm,
                                  negotiation->remote_fingerprint.value);

  // One stream of ours (plus its RTX) for every section the client sends in.
  std::string cname = "ciphertalk-" + random_token(8);
  std::string stream_id = "echo-" + random_token(8);
  auto local_stream_for = [&](const sdp::NegotiatedMedia& m) -> std::optional<sdp::LocalStream> {
    if (m.rejected || !sdp::receives(m.direction)) return std::nullopt;
    Section section;
    section.mid = m.mid;
    section.local_ssrc = random_u32();
    bool has_rtx = false;
    for (const auto& c : m.codecs) {
      if (c.rtx_pt) {
        section.rtx_payload_types.push_back(*c.rtx_pt);
        has_rtx = true;
      }
    }
    if (has_rtx) section.local_rtx_ssrc = random_u32();
    for (uint32_t remote : m.remote_ssrcs) session->ssrc_pairs_.emplace_back(remote, section.local_ssrc);
    for (auto [media, rtx] : m.remote_rtx_ssrcs) {
      if (has_rtx) session->ssrc_pairs_.emplace_back(rtx, section.local_rtx_ssrc);
    }
    for (const auto& e : m.extensions) {
      if (e.uri == kMidUri) session->mid_extension_id_ = uint8_t(e.id);
    }
    sdp::LocalStream stream;
    stream.ssrc = section.local_ssrc;
    if (has_rtx) stream.rtx_ssrc = section.local_rtx_ssrc;
    stream.cname = cname;
    stream.stream_id = stream_id;
    stream.track_id = "echo-" + m.mid;
    session->sections_.push_back(std::move(section));
    return stream;
  };

  auto params = webrtc::describe_transport(transport, port);
  auto answer = sdp::build_answer(*offer, *negotiation, params, local_stream_for);
  out.media_count = negotiation->media.size();
  if (session->sections_.empty()) {
    out.error = "the offer sends no audio or video the server accepts";
    return out;
  }
  port.add(transport);
  out.answer_sdp = answer.serialize();
  out.session = std::move(session);
  return out;
}

uint32_t EchoSession::to_local(uint32_t remote) const {
  for (auto [r, l] : ssrc_pairs_) {
    if (r == remote) return l;
  }
  return 0;
}

uint32_t EchoSession::translate(uint32_t ssrc) const {
  for (auto [r, l] : ssrc_pairs_) {
    if (r == ssrc) return l;
    if (l == ssrc) return r;
  }
  return ssrc;
}

bool EchoSession::learn_from_mid(uint32_t remote_ssrc, uint8_t payload_type, std::string_view mid) {
  // Sources the offer did not list (e.g. without a=ssrc lines) are bound by
  // their MID header extension (RFC 8843 §9.2) on first sight.
  for (const auto& s : sections_) {
    if (s.mid != mid) continue;
    bool is_rtx = std::find(s.rtx_payload_types.begin(), s.rtx_payload_types.end(), payload_type) !=
                  s.rtx_payload_types.end();
    uint32_t local = is_rtx ? s.local_rtx_ssrc : s.local_ssrc;
    if (local == 0) return false;
    for (auto [r, l] : ssrc_pairs_) {
      if (l == local) return false;  // already taken by another source (a second simulcast layer)
    }
    ssrc_pairs_.emplace_back(remote_ssrc, local);
    return true;
  }
  return false;
}

void EchoSession::on_rtp(webrtc::PeerTransport& transport, std::span<uint8_t> packet, size_t capacity,
                         TimePoint) {
  auto rtp = rtp::RtpPacket::parse(packet);
  if (!rtp) return;
  uint32_t local = to_local(rtp->ssrc());
  if (local == 0) {
    std::optional<std::string_view> mid;
    if (mid_extension_id_) mid = rtp::read_mid(rtp->find_extension(mid_extension_id_));
    if (!mid || !learn_from_mid(rtp->ssrc(), rtp->payload_type(), *mid)) {
      ++stats_.unknown_ssrc;
      return;
    }
    local = to_local(rtp->ssrc());
  }
  rtp->set_ssrc(local);
  if (transport.send_rtp(std::span<uint8_t>(packet.data(), capacity), packet.size())) ++stats_.echoed_rtp;
}

void EchoSession::on_rtcp(webrtc::PeerTransport& transport, std::span<uint8_t> compound, size_t capacity) {
  if (!rtp::rewrite_rtcp_ssrcs(compound, [this](uint32_t ssrc) { return translate(ssrc); })) return;
  if (transport.send_rtcp(std::span<uint8_t>(compound.data(), capacity), compound.size())) ++stats_.echoed_rtcp;
}

void EchoSession::on_transport_closed(webrtc::PeerTransport&, std::string_view reason) {
  closed_ = true;
  close_reason_ = std::string(reason);
}

void EchoSession::on_tick(TimePoint now) { transport_->on_tick(now); }

void EchoSession::close(std::string_view reason) { transport_->close(reason); }

}  // namespace ct::sfu
