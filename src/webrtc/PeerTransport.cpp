#include "webrtc/PeerTransport.hpp"

#include <vector>

#include "core/Log.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "dtls/DtlsTransport.hpp"
#include "ice/IceLiteAgent.hpp"
#include "rtp/RtpPacket.hpp"
#include "sctp/SctpAssociation.hpp"
#include "sdp/Candidate.hpp"
#include "stun/StunMessage.hpp"
#include "webrtc/DatagramSender.hpp"
#include "webrtc/SrtpEndpoint.hpp"

namespace ct::webrtc {

// Receives the DTLS layer's upcalls and hands them to the transport.
class PeerTransport::DtlsBridge final : public dtls::DtlsTransport::Listener {
 public:
  explicit DtlsBridge(PeerTransport& owner) : owner_(owner) {}
  void on_dtls_send(std::span<const uint8_t> datagram) override { owner_.send_raw(datagram); }
  void on_dtls_connected(const dtls::KeyingMaterial& keys) override;
  void on_dtls_failed(std::string_view reason) override { owner_.fail(reason); }
  void on_dtls_closed() override { owner_.close("DTLS close_notify"); }
  void on_dtls_application_data(std::span<const uint8_t> data) override;

 private:
  PeerTransport& owner_;
};

// Receives the SCTP association's upcalls (on the owner thread, from drain()).
class PeerTransport::SctpBridge final : public sctp::SctpAssociation::Listener {
 public:
  explicit SctpBridge(PeerTransport& owner) : owner_(owner) {}
  void on_sctp_packet(std::span<const uint8_t> packet) override;
  void on_sctp_connected() override { owner_.listener_.on_data_connected(owner_); }
  void on_sctp_closed() override { spdlog::debug("transport {}: SCTP association closed", owner_.local_ufrag()); }
  void on_channel_open(uint16_t stream, const sctp::ChannelInfo& info) override {
    owner_.listener_.on_data_channel_open(owner_, stream, info);
  }
  void on_channel_message(uint16_t stream, bool binary, std::span<const uint8_t> message) override {
    owner_.listener_.on_data_message(owner_, stream, binary, message);
  }
  void on_channel_closed(uint16_t stream) override { owner_.listener_.on_data_channel_closed(owner_, stream); }

 private:
  PeerTransport& owner_;
};

struct PeerTransport::Parts {
  ice::IceLiteAgent ice;
  DtlsBridge bridge;
  dtls::DtlsTransport dtls;
  SrtpEndpoint srtp;
  std::vector<uint8_t> stun_response;
  std::optional<net::SocketAddress> provisional_path;  // before nomination, see receive_datagram
  // Data channels, when the SDP negotiated them.
  SctpBridge sctp_bridge;
  std::unique_ptr<sctp::SctpAssociation> sctp;
  uint16_t remote_sctp_port = sctp::SctpAssociation::kDefaultPort;

  Parts(PeerTransport& owner, const dtls::DtlsCertificate& cert, bool aes_cm_only)
      : ice(ice::IceLiteAgent::with_random_credentials()),
        bridge(owner),
        dtls(cert, dtls::Role::Server, bridge,
             aes_cm_only ? dtls::SrtpProfiles::CmOnly : dtls::SrtpProfiles::All),
        sctp_bridge(owner) {
    stun_response.reserve(256);
  }
};

void PeerTransport::DtlsBridge::on_dtls_connected(const dtls::KeyingMaterial& keys) {
  auto& p = *owner_.parts_;
  if (!p.srtp.start(keys)) {
    owner_.fail("DTLS negotiated an SRTP profile we did not offer");
    return;
  }
  owner_.state_ = State::Connected;
  spdlog::debug("transport {} connected: {} {} srtp {}", owner_.local_ufrag(), p.dtls.negotiated_version(),
                p.dtls.negotiated_cipher(), p.srtp.profile_name());
  owner_.listener_.on_transport_connected(owner_);
  if (p.sctp) {
    p.sctp->start(sctp::SctpAssociation::kDefaultPort, p.remote_sctp_port);
    p.sctp->drain();
  }
}

void PeerTransport::DtlsBridge::on_dtls_application_data(std::span<const uint8_t> data) {
  auto& p = *owner_.parts_;
  if (!p.sctp) return;
  p.sctp->receive(data);
}

void PeerTransport::SctpBridge::on_sctp_packet(std::span<const uint8_t> packet) {
  owner_.parts_->dtls.send_application_data(packet);
}

void PeerTransport::enable_data_channels(uint16_t remote_sctp_port, uint64_t remote_max_message_size) {
  auto& p = *parts_;
  if (p.sctp) return;
  // We are always the DTLS server (a=setup:passive or the offerer's actpass
  // answered with active): our channels take odd stream ids (RFC 8832 §6).
  p.sctp = std::make_unique<sctp::SctpAssociation>(p.sctp_bridge, sctp::DtlsRole::Server);
  p.sctp->set_remote_max_message_size(remote_max_message_size);
  p.remote_sctp_port = remote_sctp_port;
  if (state_ == State::Connected) {
    p.sctp->start(sctp::SctpAssociation::kDefaultPort, remote_sctp_port);
    p.sctp->drain();
  }
}

std::optional<uint16_t> PeerTransport::open_data_channel(std::string_view label, sctp::ChannelType type,
                                                         uint32_t reliability_parameter) {
  auto& p = *parts_;
  if (!p.sctp || !p.sctp->connected()) return std::nullopt;
  return p.sctp->open_channel(label, "", type, reliability_parameter);
}

bool PeerTransport::send_data(uint16_t stream, bool binary, std::span<const uint8_t> message) {
  auto& p = *parts_;
  if (state_ != State::Connected || !p.sctp || !p.sctp->connected()) return false;
  return p.sctp->send(stream, binary, message);
}

PeerTransport::PeerTransport(Listener& listener, DatagramSender& sender, const dtls::DtlsCertificate& certificate,
                             Options options, TimePoint now)
    : listener_(listener),
      sender_(sender),
      options_(options),
      created_(now),
      local_fingerprint_(certificate.fingerprint_sha256()),
      parts_(std::make_unique<Parts>(*this, certificate, options.aes_cm_only)) {
  parts_->ice.set_consent_timeout(options.consent_timeout);
}

PeerTransport::~PeerTransport() = default;

const std::string& PeerTransport::local_ufrag() const { return parts_->ice.local_ufrag(); }
const std::string& PeerTransport::local_pwd() const { return parts_->ice.local_pwd(); }
const std::string& PeerTransport::local_fingerprint() const { return local_fingerprint_; }

void PeerTransport::set_remote_parameters(std::string ice_ufrag, std::string ice_pwd,
                                          std::string fingerprint_algorithm, std::string fingerprint_value) {
  parts_->ice.set_remote_credentials(std::move(ice_ufrag), std::move(ice_pwd));
  parts_->dtls.set_remote_fingerprint(std::move(fingerprint_algorithm), std::move(fingerprint_value));
}

void PeerTransport::restart_ice() {
  parts_->ice.restart_with_random_credentials();
  spdlog::debug("transport: ICE restart, new local ufrag {}", local_ufrag());
}

void PeerTransport::set_remote_ice_credentials(std::string ice_ufrag, std::string ice_pwd) {
  parts_->ice.set_remote_credentials(std::move(ice_ufrag), std::move(ice_pwd));
}

void PeerTransport::receive_stun(const stun::StunMessage& message, const net::SocketAddress& from,
                                 TimePoint now) {
  if (state_ == State::Closed) return;
  auto& p = *parts_;
  auto outcome = p.ice.handle_binding_request(message, from, now, p.stun_response);
  spdlog::trace("transport {}: check from {} -> {} (use-candidate {}, selected {})", local_ufrag(), from.to_string(),
                int(outcome), message.use_candidate(), p.ice.selected_address().has_value());
  if (outcome != ice::IceLiteAgent::Outcome::Ignored && !p.stun_response.empty()) {
    sender_.send_datagram(p.stun_response, from);
  }
  if (state_ == State::New && p.ice.selected_address()) {
    // ICE-lite: the browser's first nominated check opens the path; as the
    // DTLS server we now wait for its ClientHello (RFC 8842 §5, setup:passive).
    state_ = State::Connecting;
    p.dtls.start(now);
  }
}

void PeerTransport::receive_datagram(std::span<uint8_t> datagram, size_t capacity,
                                     const net::SocketAddress& from, TimePoint now, TimePoint arrival) {
  if (state_ == State::Closed || datagram.empty()) return;
  auto& p = *parts_;
  uint8_t first = datagram[0];
  if (first >= 20 && first <= 63) {
    // Browsers start DTLS as soon as a check succeeds, before they nominate.
    // Until a path is selected, answer DTLS on the (ICE-validated) path it
    // came from; otherwise the ServerHello is lost and the handshake waits a
    // full retransmission timeout (1 s).
    if (!p.ice.selected_address()) p.provisional_path = from;
    spdlog::trace("transport {}: DTLS {} bytes (content type {})", local_ufrag(), datagram.size(), int(first));
    p.dtls.handle_datagram(datagram, now);
    return;
  }
  if (state_ != State::Connected || !p.srtp.ready()) {
    ++stats_.dropped_before_connect;
    return;
  }
  (void)from;
  std::span<uint8_t> room(datagram.data(), capacity);
  if (rtp::RtpPacket::is_rtcp(datagram)) {
    auto plain = p.srtp.unprotect_rtcp(room, datagram.size(), stats_);
    if (plain.empty()) return;
    ++stats_.rtcp_packets_in;
    listener_.on_rtcp(*this, plain, capacity);
  } else {
    auto plain = p.srtp.unprotect_rtp(room, datagram.size(), stats_);
    if (plain.empty()) return;
    ++stats_.rtp_packets_in;
    stats_.rtp_bytes_in += plain.size();
    listener_.on_rtp(*this, plain, capacity, arrival);
  }
}

bool PeerTransport::is_validated_address(const net::SocketAddress& address) const {
  return parts_->ice.is_validated_address(address);
}

bool PeerTransport::send_rtp(std::span<uint8_t> buffer, size_t length) {
  if (state_ != State::Connected) return false;
  auto wire = parts_->srtp.protect_rtp(buffer, length, stats_);
  if (!wire.empty()) send_raw(wire);
  return !wire.empty();
}

bool PeerTransport::send_rtcp(std::span<uint8_t> buffer, size_t length) {
  if (state_ != State::Connected) return false;
  auto wire = parts_->srtp.protect_rtcp(buffer, length, stats_);
  if (!wire.empty()) send_raw(wire);
  return !wire.empty();
}

void PeerTransport::send_raw(std::span<const uint8_t> datagram) {
  auto to = parts_->ice.selected_address();
  if (!to) to = parts_->provisional_path;
  if (to) {
    sender_.send_datagram(datagram, *to);
  } else {
    spdlog::trace("transport {}: {} bytes dropped, no selected path yet", local_ufrag(), datagram.size());
  }
}

void PeerTransport::on_tick(TimePoint now) {
  if (state_ == State::Closed) return;
  auto& p = *parts_;
  if (auto t = p.dtls.next_timeout(); t && *t <= now) p.dtls.handle_timeout(now);
  if (state_ == State::Closed) return;
  // Packets and events the SCTP timers (run by the worker) queued for us.
  if (p.sctp) p.sctp->drain();
  if (state_ != State::Connected && now - created_ > options_.connect_timeout) {
    fail("no working connection within the connect timeout");
    return;
  }
  // RFC 7675 §5.1: without fresh consent the path is dead and media must stop.
  if (p.ice.selected_address() && p.ice.consent_expired(now)) fail("ICE consent expired");
}

void PeerTransport::fail(std::string_view reason) {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  spdlog::info("transport {} closed: {}", local_ufrag(), reason);
  listener_.on_transport_closed(*this, reason);
}

void PeerTransport::close(std::string_view reason) {
  if (state_ == State::Closed) return;
  if (state_ == State::Connected) parts_->dtls.close();
  fail(reason);
}

std::optional<net::SocketAddress> PeerTransport::remote_address() const { return parts_->ice.selected_address(); }

bool PeerTransport::add_remote_candidate(const sdp::Candidate& candidate) {
  auto type = ice::candidate_type_from(candidate.type);
  const bool udp = candidate.transport == "udp" || candidate.transport == "UDP";
  if (!type || !udp || candidate.component != 1) return false;
  auto address = net::SocketAddress::parse_ip(candidate.address, candidate.port);
  if (!address) return false;
  parts_->ice.remote_candidates().add(*address, *type);
  return true;
}

std::optional<std::string_view> PeerTransport::remote_candidate_type() const {
  auto type = parts_->ice.selected_candidate_type();
  return type ? std::optional(ice::to_string(*type)) : std::nullopt;
}

std::string PeerTransport::srtp_profile_name() const {
  return parts_->srtp.profile_name();
}

}  // namespace ct::webrtc
