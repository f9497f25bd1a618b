#pragma once
// The browser's side of one WebRTC transport, for load generation and tests
// against our own ICE-lite server: a full ICE agent in the controlling role
// with one candidate pair (our socket to the server's host candidate), the
// DTLS client, and SRTP keyed from the DTLS export. Layered like
// PeerTransport (ICE -> DTLS -> SRTP) and driven the same way: datagrams and
// time come in, datagrams leave through a DatagramSender.
//
// ICE (RFC 8445): checks are Binding requests with USERNAME
// "remote-ufrag:local-ufrag", PRIORITY, ICE-CONTROLLING, USE-CANDIDATE
// (aggressive nomination, §8.1.1: a lite peer selects the first nominated
// pair), MESSAGE-INTEGRITY keyed with the remote ice-pwd and FINGERPRINT
// (§7.1.2). Requests are retransmitted until answered (RFC 8489 §6.2.1);
// after the path is up, consent is refreshed every 5 s ±20 % (RFC 7675 §5.1)
// and lost after 30 s without an answer. Against a full ICE peer (Janus)
// it also answers the peer's checks (§7.3) and resolves a role conflict by
// tie-breaker (§7.3.1.1), and it takes whichever DTLS role the peer's SDP
// leaves it (RFC 8842 §5).
//
// Single-threaded: the owner's event loop drives it.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/Clock.hpp"
#include "dtls/DtlsTransport.hpp"
#include "net/SocketAddress.hpp"
#include "webrtc/SrtpEndpoint.hpp"

namespace ct::stun {
class StunMessage;
}

namespace ct::webrtc {

class DatagramSender;

class ClientPeerTransport {
 public:
  enum class State { New, Checking, Connecting, Connected, Closed };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_client_connected(ClientPeerTransport&) {}
    // An authenticated, decrypted RTP packet (only the sampled ones, see
    // Options::rtp_unprotect_interval); the span may be modified in place.
    virtual void on_client_rtp(ClientPeerTransport&, std::span<uint8_t> /*packet*/) {}
    virtual void on_client_rtcp(ClientPeerTransport&, std::span<uint8_t> /*compound*/) {}
    virtual void on_client_closed(ClientPeerTransport&, std::string_view /*reason*/) {}
  };

  struct Options {
    // First retransmission of an unanswered check; doubles up to 1.6 s
    // (RFC 8489 §6.2.1 uses 500 ms; loopback loads want faster setup).
    Duration check_retransmit = milliseconds(100);
    Duration consent_interval = seconds(5);  // RFC 7675 §5.1, randomized ±20 %
    Duration consent_timeout = seconds(30);  // RFC 7675 §5.1
    Duration connect_timeout = seconds(15);  // creation to DTLS connected
    // Unprotect one inbound SRTP packet in this many (1: every one). A load
    // generator samples so that its own CPU does not limit the server it
    // measures; the others are counted but not authenticated. RTCP is always
    // unprotected.
    uint32_t rtp_unprotect_interval = 1;
  };

  struct Stats : SrtpCounters {  // packets out, SRTP errors
    uint64_t checks_sent = 0, check_responses = 0, checks_answered = 0;
    uint64_t rtp_packets_in = 0, rtp_bytes_in = 0;  // every SRTP datagram, sampled or not
    uint64_t rtp_packets_unprotected = 0, rtcp_packets_in = 0;
    uint64_t dropped = 0;  // from an unexpected address, or before the keys
  };

  // `certificate` and the sender must outlive the transport; one certificate
  // may serve many transports.
  ClientPeerTransport(Listener& listener, DatagramSender& sender, const dtls::DtlsCertificate& certificate,
                      Options options, TimePoint now);
  ~ClientPeerTransport();
  ClientPeerTransport(const ClientPeerTransport&) = delete;
  ClientPeerTransport& operator=(const ClientPeerTransport&) = delete;

  const std::string& local_ufrag() const { return local_ufrag_; }
  const std::string& local_pwd() const { return local_pwd_; }
  const std::string& local_fingerprint() const;  // sha-256, colon hex

  // From the server's SDP: its ICE credentials (RFC 8839), certificate
  // fingerprint (RFC 8122) and host candidate, and our DTLS role (the
  // client unless the remote's a=setup is active). Once; false, and nothing
  // starts, if the fingerprint is unusable.
  bool set_remote_parameters(std::string ice_ufrag, std::string ice_pwd, std::string fingerprint_algorithm,
                             std::string fingerprint_value, const net::SocketAddress& candidate,
                             dtls::Role dtls_role = dtls::Role::Client);

  // Sends the first check. Needs the remote parameters.
  void start(TimePoint now);

  // One datagram from the socket (STUN, DTLS or SRTP/SRTCP by RFC 7983).
  // `capacity` >= datagram.size() is the room in the buffer.
  void receive_datagram(std::span<uint8_t> datagram, size_t capacity, const net::SocketAddress& from,
                        TimePoint now);

  // Protects in place (needs srtp overhead bytes of room after `length`) and
  // sends. False unless connected.
  bool send_rtp(std::span<uint8_t> buffer, size_t length);
  bool send_rtcp(std::span<uint8_t> buffer, size_t length);

  // Check retransmissions, consent, DTLS timers, the connect deadline. Call
  // at least every 50 ms until connected, then every few hundred ms.
  void on_tick(TimePoint now);
  void close(std::string_view reason);

  State state() const { return state_; }
  const Stats& stats() const { return stats_; }
  const net::SocketAddress& remote_address() const { return remote_address_; }
  std::string srtp_profile_name() const;
  // When the DTLS handshake finished (setup time); epoch before that.
  TimePoint connected_at() const { return connected_at_; }

 private:
  class DtlsBridge;
  struct Parts;
  void send_check(TimePoint now);
  void handle_stun(std::span<const uint8_t> datagram, TimePoint now);
  void answer_check(const stun::StunMessage& request);
  void handle_srtp(std::span<uint8_t> datagram, size_t capacity);
  void fail(std::string_view reason);
  void send_raw(std::span<const uint8_t> datagram);
  Duration jittered_consent_interval();

  Listener& listener_;
  DatagramSender& sender_;
  Options options_;
  State state_ = State::New;
  Stats stats_;
  TimePoint created_;
  TimePoint connected_at_{};
  std::string local_ufrag_, local_pwd_;
  std::string remote_ufrag_, remote_pwd_;
  net::SocketAddress remote_address_;
  uint64_t tie_breaker_ = 0;
  bool controlling_ = true;  // RFC 8445 §6.1.1; a role conflict may turn it
  uint32_t rtp_sample_counter_ = 0;
  std::unique_ptr<Parts> parts_;  // DTLS transport, SRTP sessions, check state
};

}  // namespace ct::webrtc
