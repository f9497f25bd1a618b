#pragma once
// An in-memory WebRTC endpoint for tests: the browser's side of one
// PeerConnection's transport. It sends ICE connectivity checks (controlling,
// with USE-CANDIDATE), runs DTLS as the client, and protects and unprotects
// SRTP/SRTCP, and (after enable_data_channels()) SCTP data channels as the
// DTLS client does. Datagrams leave through a callback and come in through
// receive(), so a test wires it to a fake sender or to a real UDP socket.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "core/Random.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "dtls/DtlsTransport.hpp"
#include "net/PacketKind.hpp"
#include "rtp/RtpPacket.hpp"
#include "sctp/SctpAssociation.hpp"
#include "srtp/SrtpSession.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"

namespace ct::test {

class TestPeer final : public dtls::DtlsTransport::Listener {
 public:
  using Send = std::function<void(std::span<const uint8_t>)>;

  explicit TestPeer(Send send)
      : send_(std::move(send)),
        ufrag_(random_ice_string(8)),
        pwd_(random_ice_string(24)),
        dtls_(certificate_, dtls::Role::Client, *this) {}

  const std::string& ufrag() const { return ufrag_; }
  const std::string& pwd() const { return pwd_; }
  const std::string& fingerprint() const { return certificate_.fingerprint_sha256(); }

  // The server's ICE credentials and certificate fingerprint from its SDP.
  void set_remote(std::string ufrag, std::string pwd, std::string fingerprint) {
    remote_ufrag_ = std::move(ufrag);
    remote_pwd_ = std::move(pwd);
    dtls_.set_remote_fingerprint("sha-256", std::move(fingerprint));
  }

  // ICE restart: fresh local credentials (RFC 8445 §9), DTLS carries on.
  void restart_ice() {
    ufrag_ = random_ice_string(8);
    pwd_ = random_ice_string(24);
  }
  void set_remote_ice(std::string ufrag, std::string pwd) {
    remote_ufrag_ = std::move(ufrag);
    remote_pwd_ = std::move(pwd);
  }

  // A nominating check (RFC 8445 §7.2.4), laid out as Chromium sends it.
  void send_check(bool use_candidate = true) {
    stun::TransactionId id;
    random_bytes(id);
    std::vector<uint8_t> out;
    stun::StunMessageBuilder b(out, stun::Method::Binding, stun::MessageClass::Request, id);
    b.add_username(remote_ufrag_ + ":" + ufrag_);
    b.add_ice_controlling(0x1122334455667788ull);
    if (use_candidate) b.add_use_candidate();
    b.add_priority(0x6e7f1eff);
    b.add_message_integrity(stun::short_term_key(remote_pwd_));
    b.add_fingerprint();
    send_(out);
  }

  // Handles one datagram from the server.
  void receive(std::span<const uint8_t> datagram, TimePoint now) {
    switch (net::classify_packet(datagram)) {
      case net::PacketKind::Stun: {
        auto message = stun::StunMessage::parse(datagram);
        if (message && message->message_class() == stun::MessageClass::SuccessResponse) {
          ++check_responses;
          if (!dtls_started_) {
            dtls_started_ = true;
            dtls_.start(now);  // ClientHello
          }
        }
        return;
      }
      case net::PacketKind::Dtls:
        dtls_.handle_datagram(datagram, now);
        return;
      case net::PacketKind::Rtp: {
        if (!srtp_in_) return;
        std::vector<uint8_t> buffer(datagram.begin(), datagram.end());
        if (rtp::RtpPacket::is_rtcp(buffer)) {
          auto r = srtp_in_->unprotect_rtcp(buffer, buffer.size());
          if (!r) {
            ++srtp_errors;
            return;
          }
          buffer.resize(r.length);
          rtcp_received.push_back(std::move(buffer));
        } else {
          auto r = srtp_in_->unprotect_rtp(buffer, buffer.size());
          if (!r) {
            ++srtp_errors;
            return;
          }
          buffer.resize(r.length);
          rtp_received.push_back(std::move(buffer));
        }
        return;
      }
      default:
        return;
    }
  }

  void tick(TimePoint now) {
    if (auto t = dtls_.next_timeout(); t && *t <= now) dtls_.handle_timeout(now);
    if (data_) {
      sctp::SctpAssociation::handle_timers(now);
      data_->association.drain();
    }
  }

  // Data channels, as a browser's RTCPeerConnection has them: an SCTP
  // association (we are the DTLS client: even stream ids) once DTLS is up.
  struct DataMessage {
    std::string label;
    std::vector<uint8_t> bytes;
  };
  void enable_data_channels() {
    if (data_) return;
    data_ = std::make_unique<Data>(*this);
    if (connected()) data_->association.start();
  }
  bool data_connected() const { return data_ && data_->association.connected(); }
  std::optional<uint16_t> open_channel(std::string_view label, sctp::ChannelType type) {
    if (!data_connected()) return std::nullopt;
    auto stream = data_->association.open_channel(label, "", type);
    if (stream) data_->labels[*stream] = std::string(label);
    return stream;
  }
  bool send_data(uint16_t stream, std::span<const uint8_t> bytes, bool binary = true) {
    return data_connected() && data_->association.send(stream, binary, bytes);
  }
  // Channels the server opened (label by stream), and everything received.
  std::map<uint16_t, std::string> remote_channels;
  std::vector<DataMessage> data_received;

  bool connected() const { return srtp_out_.has_value(); }
  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }

  bool send_rtp(std::span<const uint8_t> packet) { return protect_and_send(packet, false); }
  bool send_rtcp(std::span<const uint8_t> packet) { return protect_and_send(packet, true); }

  std::vector<std::vector<uint8_t>> rtp_received;
  std::vector<std::vector<uint8_t>> rtcp_received;
  size_t check_responses = 0;
  size_t srtp_errors = 0;

 private:
  void on_dtls_send(std::span<const uint8_t> datagram) override { send_(datagram); }
  void on_dtls_connected(const dtls::KeyingMaterial& keys) override {
    auto profile = srtp::SrtpProfile(keys.srtp_profile);
    srtp_out_.emplace(profile, keys.local_key, keys.local_salt, srtp::SrtpSession::Direction::Outbound);
    srtp_in_.emplace(profile, keys.remote_key, keys.remote_salt, srtp::SrtpSession::Direction::Inbound);
    if (data_) data_->association.start();
  }
  void on_dtls_application_data(std::span<const uint8_t> data) override {
    if (data_) data_->association.receive(data);
  }

  struct Data final : sctp::SctpAssociation::Listener {
    explicit Data(TestPeer& o) : owner(o), association(*this, sctp::DtlsRole::Client) {}
    void on_sctp_packet(std::span<const uint8_t> packet) override { owner.dtls_.send_application_data(packet); }
    void on_sctp_connected() override {}
    void on_sctp_closed() override {}
    void on_channel_open(uint16_t stream, const sctp::ChannelInfo& info) override {
      owner.remote_channels[stream] = info.label;
      labels[stream] = info.label;
    }
    void on_channel_message(uint16_t stream, bool, std::span<const uint8_t> message) override {
      owner.data_received.push_back({labels[stream], {message.begin(), message.end()}});
    }
    void on_channel_closed(uint16_t) override {}
    TestPeer& owner;
    std::map<uint16_t, std::string> labels;
    sctp::SctpAssociation association;
  };
  void on_dtls_failed(std::string_view reason) override {
    failed_ = true;
    failure_ = std::string(reason);
  }

  bool protect_and_send(std::span<const uint8_t> packet, bool rtcp) {
    if (!srtp_out_) return false;
    std::vector<uint8_t> buffer(packet.size() + 64);
    std::copy(packet.begin(), packet.end(), buffer.begin());
    auto r = rtcp ? srtp_out_->protect_rtcp(buffer, packet.size()) : srtp_out_->protect_rtp(buffer, packet.size());
    if (!r) return false;
    send_(std::span<const uint8_t>(buffer.data(), r.length));
    return true;
  }

  Send send_;
  std::string ufrag_, pwd_;
  std::string remote_ufrag_, remote_pwd_;
  dtls::DtlsCertificate certificate_;
  dtls::DtlsTransport dtls_;
  std::unique_ptr<Data> data_;  // after dtls_: destroyed first
  bool dtls_started_ = false;
  bool failed_ = false;
  std::string failure_;
  std::optional<srtp::SrtpSession> srtp_out_, srtp_in_;
};

}  // namespace ct::test
