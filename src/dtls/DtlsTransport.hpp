#pragma once
// One DTLS 1.2 association (RFC 6347) for WebRTC, keyed for DTLS-SRTP
// (RFC 5764) and authenticated by the peer's SDP fingerprint (RFC 8827 §6.5,
// RFC 8842). The caller drives it: datagrams in, datagrams out through the
// Listener, time passed in as `now`. No sockets, threads or timers of its own;
// it lives on one media worker's thread.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "dtls/OpenSslFree.hpp"

struct bio_st;
struct timeval;

namespace ct::dtls {

enum class Role { Server, Client };

// IANA "DTLS-SRTP Protection Profiles" ids (RFC 5764 §4.1.2, RFC 7714 §14.2).
inline constexpr uint16_t kSrtpAes128CmHmacSha1_80 = 0x0001;
inline constexpr uint16_t kSrtpAeadAes128Gcm = 0x0007;

// RFC 5764 §4.2 keying material, already split by direction.
struct KeyingMaterial {
  uint16_t srtp_profile = 0;
  std::vector<uint8_t> local_key, local_salt;    // what we protect with
  std::vector<uint8_t> remote_key, remote_salt;  // what we unprotect with
};

class DtlsTransport {
 public:
  // Calls come from inside DtlsTransport's own methods (on_dtls_send from
  // inside OpenSSL). A listener must not destroy the transport from any
  // callback, nor call back into it from on_dtls_send.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_dtls_send(std::span<const uint8_t> datagram) = 0;  // one UDP datagram
    virtual void on_dtls_connected(const KeyingMaterial& keys) = 0;
    virtual void on_dtls_failed(std::string_view reason) = 0;
    virtual void on_dtls_application_data(std::span<const uint8_t> /*data*/) {}
    virtual void on_dtls_closed() {}  // the peer sent close_notify
  };

  enum class State { New, Connecting, Connected, Failed, Closed };

  // RFC 6347 §4.2.4.1: start at 1 s, double per retransmission, cap at 60 s.
  static constexpr Duration kInitialRetransmitTimeout = seconds(1);
  static constexpr Duration kMaxRetransmitTimeout = seconds(60);
  // A handshake not finished (fingerprint checked) this long after start()
  // has failed.
  static constexpr Duration kHandshakeTimeout = seconds(30);
  // Largest datagram the transport writes (flights are fragmented to fit).
  static constexpr int kMtu = 1200;

  // `certificate` must outlive the transport. Throws std::runtime_error only
  // if OpenSSL cannot allocate.
  DtlsTransport(const DtlsCertificate& certificate, Role role, Listener& listener,
                SrtpProfiles profiles = SrtpProfiles::All);
  ~DtlsTransport();
  // OpenSSL holds pointers to this object.
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // From the SDP a=fingerprint (RFC 8122 §5): algorithm "sha-256" (also
  // "sha-1", "sha-384", "sha-512", any case) and colon hex in either case.
  // Returns false, and leaves the transport failing every handshake, if the
  // algorithm is unknown or the hex is malformed or of the wrong length.
  // May come after the handshake finished: keys are released only then.
  bool set_remote_fingerprint(std::string algorithm, std::string colon_hex);

  // Client: sends the ClientHello. Server: waits for one. Both start the
  // handshake deadline. A server that receives a datagram before start()
  // starts implicitly.
  void start(TimePoint now);

  // One received datagram whose first byte is 20..63 (RFC 7983). Anything
  // that is not whole DTLS records is dropped and counted.
  void handle_datagram(std::span<const uint8_t> datagram, TimePoint now);

  // When handle_timeout() next has work: a flight retransmission or the
  // handshake deadline.
  std::optional<TimePoint> next_timeout() const;
  void handle_timeout(TimePoint now);

  // Sends one DTLS application data record (an SCTP packet). False unless
  // Connected.
  bool send_application_data(std::span<const uint8_t> data);

  // Sends close_notify (if connected) and moves to Closed.
  void close();

  State state() const { return state_; }
  Role role() const { return role_; }
  // "ECDHE-ECDSA-AES128-GCM-SHA256", "DTLSv1.2"; empty before the handshake.
  std::string negotiated_cipher() const;
  std::string negotiated_version() const;
  uint64_t dropped_datagrams() const { return dropped_datagrams_; }

 private:
  struct RemoteFingerprint {
    std::string algorithm;  // lower case, e.g. "sha-256"
    std::vector<uint8_t> digest;
    bool valid = false;
  };

  void drive_handshake();
  void on_handshake_finished();
  void finish_if_verified();
  void read_application_data();
  void fail(std::string_view reason);
  void handle_ssl_error(int result, std::string_view during);
  bool fingerprint_matches(x509_st* peer_certificate) const;

  // OpenSSL callbacks (the custom BIO and the SSL's own hooks).
  friend struct DtlsTransportAccess;
  int bio_read(char* out, int capacity);
  int bio_write(const char* data, int length);
  long bio_ctrl(int command, long number, void* pointer);
  unsigned int next_openssl_timer_us(unsigned int previous_us);
  int verify_peer(int preverify_ok, x509_st* certificate, int depth);

  Role role_;
  Listener& listener_;
  SslPtr ssl_;
  State state_ = State::New;
  bool handshake_finished_ = false;
  bool fingerprint_mismatch_ = false;
  std::optional<RemoteFingerprint> remote_fingerprint_;

  TimePoint now_{};
  std::optional<TimePoint> handshake_deadline_;
  std::optional<TimePoint> retransmit_deadline_;
  Duration retransmit_timeout_ = kInitialRetransmitTimeout;
  // OpenSSL's own timer field, handed to the BIO; see bio_ctrl().
  timeval* openssl_timer_ = nullptr;

  std::span<const uint8_t> pending_datagram_;
  std::vector<uint8_t> read_buffer_;
  uint64_t dropped_datagrams_ = 0;
};

}  // namespace ct::dtls
