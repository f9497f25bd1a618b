#include "webrtc/ClientPeerTransport.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "core/Log.hpp"
#include "core/Random.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "dtls/DtlsTransport.hpp"
#include "net/PacketKind.hpp"
#include "rtp/RtpPacket.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"
#include "webrtc/DatagramSender.hpp"

namespace ct::webrtc {
namespace {

// RFC 8445 §5.1.2.1 with the peer-reflexive type preference (110), as §7.1.1
// asks for the PRIORITY of a check; one component, the highest local preference.
constexpr uint32_t kCheckPriority = (110u << 24) | (65535u << 8) | (256u - 1u);
constexpr Duration kMaxCheckRetransmit = milliseconds(1600);

}  // namespace

class ClientPeerTransport::DtlsBridge final : public dtls::DtlsTransport::Listener {
 public:
  explicit DtlsBridge(ClientPeerTransport& owner) : owner_(owner) {}
  void on_dtls_send(std::span<const uint8_t> datagram) override { owner_.send_raw(datagram); }
  void on_dtls_connected(const dtls::KeyingMaterial& keys) override;
  void on_dtls_failed(std::string_view reason) override { owner_.fail(reason); }
  void on_dtls_closed() override { owner_.fail("DTLS close_notify"); }

 private:
  ClientPeerTransport& owner_;
};

struct ClientPeerTransport::Parts {
  const dtls::DtlsCertificate& certificate;
  DtlsBridge bridge;
  std::optional<dtls::DtlsTransport> dtls;  // made with the remote parameters, in the role they imply
  SrtpEndpoint srtp;
  std::vector<uint8_t> check;     // the outstanding request, resent as is (RFC 8489 §6.2.1)
  std::vector<uint8_t> response;  // our answer to a full peer's check

  // The one outstanding check.
  bool check_outstanding = false;
  stun::TransactionId transaction{};
  TimePoint check_deadline{};
  Duration check_rto{};
  // Consent (RFC 7675): when the next refresh goes out, and the last answer.
  TimePoint next_consent{};
  TimePoint last_consent{};
  bool nominated = false;
  bool check_controlling = true;  // the role the outstanding check was sent in

  Parts(ClientPeerTransport& owner, const dtls::DtlsCertificate& cert) : certificate(cert), bridge(owner) {
    check.reserve(160);
    response.reserve(160);
  }
};

void ClientPeerTransport::DtlsBridge::on_dtls_connected(const dtls::KeyingMaterial& keys) {
  auto& p = *owner_.parts_;
  if (!p.srtp.start(keys)) {
    owner_.fail("DTLS negotiated an SRTP profile we did not offer");
    return;
  }
  owner_.state_ = State::Connected;
  owner_.connected_at_ = Clock::now();
  owner_.listener_.on_client_connected(owner_);
}

ClientPeerTransport::ClientPeerTransport(Listener& listener, DatagramSender& sender,
                                         const dtls::DtlsCertificate& certificate, Options options, TimePoint now)
    : listener_(listener),
      sender_(sender),
      options_(options),
      created_(now),
      local_ufrag_(random_ice_string(8)),
      local_pwd_(random_ice_string(24)),
      parts_(std::make_unique<Parts>(*this, certificate)) {
  random_bytes(std::span(reinterpret_cast<uint8_t*>(&tie_breaker_), sizeof(tie_breaker_)));
  if (options_.rtp_unprotect_interval == 0) options_.rtp_unprotect_interval = 1;
}

ClientPeerTransport::~ClientPeerTransport() = default;

const std::string& ClientPeerTransport::local_fingerprint() const { return parts_->certificate.fingerprint_sha256(); }

bool ClientPeerTransport::set_remote_parameters(std::string ice_ufrag, std::string ice_pwd,
                                                std::string fingerprint_algorithm,
                                                std::string fingerprint_value,
                                                const net::SocketAddress& candidate, dtls::Role dtls_role) {
  remote_ufrag_ = std::move(ice_ufrag);
  remote_pwd_ = std::move(ice_pwd);
  remote_address_ = candidate;
  auto& p = *parts_;
  if (!p.dtls) p.dtls.emplace(p.certificate, dtls_role, p.bridge);
  return p.dtls->set_remote_fingerprint(std::move(fingerprint_algorithm), std::move(fingerprint_value));
}

void ClientPeerTransport::start(TimePoint now) {
  if (state_ != State::New || !parts_->dtls) return;
  state_ = State::Checking;
  parts_->check_rto = options_.check_retransmit;
  send_check(now);
}

void ClientPeerTransport::send_check(TimePoint now) {
  auto& p = *parts_;
  random_bytes(p.transaction);
  stun::StunMessageBuilder b(p.check, stun::Method::Binding, stun::MessageClass::Request, p.transaction);
  // RFC 8445 §7.2.2: USERNAME is "remote:local"; §7.1.1-7.1.2: PRIORITY, role, nomination.
  std::string username;
  username.reserve(remote_ufrag_.size() + 1 + local_ufrag_.size());
  username.append(remote_ufrag_).append(1, ':').append(local_ufrag_);
  b.add_username(username);
  b.add_priority(kCheckPriority);
  p.check_controlling = controlling_;
  if (controlling_) {
    b.add_ice_controlling(tie_breaker_);
    b.add_use_candidate();
  } else {
    b.add_ice_controlled(tie_breaker_);
  }
  b.add_message_integrity(stun::short_term_key(remote_pwd_));
  b.add_fingerprint();
  p.check_outstanding = true;
  p.check_deadline = now + p.check_rto;
  ++stats_.checks_sent;
  send_raw(p.check);
}

void ClientPeerTransport::receive_datagram(std::span<uint8_t> datagram, size_t capacity,
                                           const net::SocketAddress& from, TimePoint now) {
  if (state_ == State::Closed || state_ == State::New || datagram.empty()) return;
  // RFC 8445 §7.2.5.2.1: answers must come from where the check went; media
  // from anywhere else is not this transport's.
  if (!(from == remote_address_)) {
    ++stats_.dropped;
    return;
  }
  switch (net::classify_packet(datagram)) {
    case net::PacketKind::Stun:
      handle_stun(datagram, now);
      return;
    case net::PacketKind::Dtls:
      // A DTLS server answers only after our ClientHello; a DTLS client
      // (a full ICE peer) may open as soon as its own check succeeded.
      if (state_ == State::Checking && parts_->dtls->role() == dtls::Role::Client) {
        ++stats_.dropped;
        return;
      }
      parts_->dtls->handle_datagram(datagram, now);
      return;
    case net::PacketKind::Rtp:
      handle_srtp(datagram, capacity);
      return;
    default:
      ++stats_.dropped;
      return;
  }
}

void ClientPeerTransport::handle_stun(std::span<const uint8_t> datagram, TimePoint now) {
  auto& p = *parts_;
  auto message = stun::StunMessage::parse(datagram);
  if (!message || message->method() != stun::Method::Binding) return;
  auto cls = message->message_class();
  if (cls == stun::MessageClass::Request) {
    answer_check(*message);
    return;
  }
  if (cls != stun::MessageClass::SuccessResponse && cls != stun::MessageClass::ErrorResponse) return;
  // RFC 8489 §6.3.3: a response to no outstanding transaction is dropped
  // (late answers to retransmissions land here).
  if (!p.check_outstanding || message->transaction_id() != p.transaction) return;
  if (message->has_fingerprint() && !message->verify_fingerprint()) return;
  if (cls == stun::MessageClass::ErrorResponse) {
    // 401 and 400 mean our credentials or request are wrong; 487 (role
    // conflict) cannot be resolved against a lite agent, which is always
    // controlled. Only errors we can trust end the transport: unauthenticated
    // ones (no MESSAGE-INTEGRITY) are 401/400 by RFC 8445 §7.3.
    auto code = message->error_code();
    if (message->has_message_integrity() && !message->verify_message_integrity(stun::short_term_key(remote_pwd_)))
      return;
    if (code && code->code == 487) {
      // RFC 8445 §7.2.5.1: a full peer won the role conflict; take the role
      // opposite to the one the check was sent in and send it again, as a
      // new transaction.
      controlling_ = !p.check_controlling;
      send_check(now);
      return;
    }
    p.check_outstanding = false;
    fail("ICE check answered with error " + std::to_string(code ? code->code : 0));
    return;
  }
  // RFC 8445 §7.2.5.2: a success response must carry MESSAGE-INTEGRITY keyed
  // with the password the request used (the remote's).
  if (!message->verify_message_integrity(stun::short_term_key(remote_pwd_))) return;
  p.check_outstanding = false;
  ++stats_.check_responses;
  p.last_consent = now;
  p.next_consent = now + jittered_consent_interval();
  if (!p.nominated) {
    // The pair is valid and, with USE-CANDIDATE, nominated (§8.1.1); as the
    // DTLS client (setup:active against the server's passive) we open.
    p.nominated = true;
    state_ = State::Connecting;
    p.dtls->start(now);
  }
}

void ClientPeerTransport::answer_check(const stun::StunMessage& request) {
  // A full ICE peer (RFC 8445 §2.1) checks our candidate too. §7.3: its
  // USERNAME is "our-ufrag:its-ufrag", MESSAGE-INTEGRITY keyed with our pwd.
  auto username = request.username();
  if (!username || username->size() <= local_ufrag_.size() || !username->starts_with(local_ufrag_) ||
      (*username)[local_ufrag_.size()] != ':')
    return;
  if (!request.verify_message_integrity(stun::short_term_key(local_pwd_))) return;
  if (request.has_fingerprint() && !request.verify_fingerprint()) return;
  // §7.3.1.1: a role conflict goes to the larger tie-breaker; the loser
  // switches, the winner answers 487.
  bool conflict = false;
  if (auto theirs = request.ice_controlling(); theirs && controlling_) {
    if (tie_breaker_ >= *theirs)
      conflict = true;
    else
      controlling_ = false;
  } else if (auto theirs_controlled = request.ice_controlled(); theirs_controlled && !controlling_) {
    if (tie_breaker_ >= *theirs_controlled)
      controlling_ = true;
    else
      conflict = true;
  }
  auto& p = *parts_;
  stun::StunMessageBuilder b(
      p.response, stun::Method::Binding,
      conflict ? stun::MessageClass::ErrorResponse : stun::MessageClass::SuccessResponse,
      request.transaction_id());
  if (conflict)
    b.add_error_code(487, "Role Conflict");
  else
    b.add_xor_mapped_address(remote_address_);
  b.add_message_integrity(stun::short_term_key(local_pwd_));
  b.add_fingerprint();
  ++stats_.checks_answered;
  send_raw(p.response);
}

void ClientPeerTransport::handle_srtp(std::span<uint8_t> datagram, size_t capacity) {
  auto& p = *parts_;
  if (state_ != State::Connected || !p.srtp.ready()) {
    ++stats_.dropped;
    return;
  }
  std::span<uint8_t> room(datagram.data(), std::max(capacity, datagram.size()));
  if (rtp::RtpPacket::is_rtcp(datagram)) {
    auto plain = p.srtp.unprotect_rtcp(room, datagram.size(), stats_);
    if (plain.empty()) return;
    ++stats_.rtcp_packets_in;
    listener_.on_client_rtcp(*this, plain);
    return;
  }
  ++stats_.rtp_packets_in;
  stats_.rtp_bytes_in += datagram.size();
  if (++rtp_sample_counter_ < options_.rtp_unprotect_interval) return;
  rtp_sample_counter_ = 0;
  auto plain = p.srtp.unprotect_rtp(room, datagram.size(), stats_);
  if (plain.empty()) return;
  ++stats_.rtp_packets_unprotected;
  listener_.on_client_rtp(*this, plain);
}

bool ClientPeerTransport::send_rtp(std::span<uint8_t> buffer, size_t length) {
  if (state_ != State::Connected) return false;
  auto wire = parts_->srtp.protect_rtp(buffer, length, stats_);
  if (!wire.empty()) send_raw(wire);
  return !wire.empty();
}

bool ClientPeerTransport::send_rtcp(std::span<uint8_t> buffer, size_t length) {
  if (state_ != State::Connected) return false;
  auto wire = parts_->srtp.protect_rtcp(buffer, length, stats_);
  if (!wire.empty()) send_raw(wire);
  return !wire.empty();
}

void ClientPeerTransport::send_raw(std::span<const uint8_t> datagram) {
  sender_.send_datagram(datagram, remote_address_);
}

Duration ClientPeerTransport::jittered_consent_interval() {
  // RFC 7675 §5.1: uniformly random in [0.8, 1.2] times the interval, so many
  // clients do not refresh in step.
  double factor = 0.8 + 0.4 * (double(random_u32()) / 4294967295.0);
  return std::chrono::duration_cast<Duration>(options_.consent_interval * factor);
}

void ClientPeerTransport::on_tick(TimePoint now) {
  if (state_ == State::Closed || state_ == State::New) return;
  auto& p = *parts_;
  if (auto t = p.dtls->next_timeout(); t && *t <= now) p.dtls->handle_timeout(now);
  if (state_ == State::Closed) return;
  if (state_ != State::Connected && now - created_ > options_.connect_timeout) {
    fail(p.nominated ? "DTLS did not connect within the connect timeout"
                     : "no answer to ICE checks within the connect timeout");
    return;
  }
  if (p.nominated && now - p.last_consent > options_.consent_timeout) {
    fail("ICE consent expired");  // RFC 7675 §5.1
    return;
  }
  if (p.check_outstanding && now >= p.check_deadline) {
    // Same transaction id, same bytes (RFC 8489 §6.2.1); the RTO doubles.
    p.check_rto = std::min<Duration>(p.check_rto * 2, kMaxCheckRetransmit);
    p.check_deadline = now + p.check_rto;
    ++stats_.checks_sent;
    send_raw(p.check);
    return;
  }
  if (p.nominated && !p.check_outstanding && now >= p.next_consent) {
    p.check_rto = options_.check_retransmit;
    p.next_consent = now + jittered_consent_interval();
    send_check(now);
  }
}

void ClientPeerTransport::fail(std::string_view reason) {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  spdlog::debug("client transport {} closed: {}", local_ufrag_, reason);
  listener_.on_client_closed(*this, reason);
}

void ClientPeerTransport::close(std::string_view reason) {
  if (state_ == State::Closed) return;
  if (state_ == State::Connected) parts_->dtls->close();
  fail(reason);
}

std::string ClientPeerTransport::srtp_profile_name() const {
  return parts_->srtp.profile_name();
}

}  // namespace ct::webrtc
