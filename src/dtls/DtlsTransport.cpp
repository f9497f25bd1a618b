#include "dtls/DtlsTransport.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <stdexcept>

#include "core/Encoding.hpp"
#include "core/Log.hpp"
#include "dtls/DtlsRecord.hpp"

namespace ct::dtls {

// OpenSSL up to 3.1 keeps its retransmission deadline as a wall-clock timeval
// inside the SSL and hands the BIO a pointer to that very field
// (BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT). We park that timer an hour away and, when
// our own deadline (in the caller's `now`) passes, move it into the past just
// before DTLSv1_handle_timeout(). Retransmissions then follow the caller's
// monotonic clock, and tests can drive time. From 3.2 the BIO sees only a
// copy, so there OpenSSL's own clock decides and `now` merely mirrors it.
#if OPENSSL_VERSION_NUMBER < 0x30200000L
constexpr bool kCallerDrivesOpenSslTimer = true;
#else
constexpr bool kCallerDrivesOpenSslTimer = false;
#endif

namespace {

constexpr unsigned int kParkedOpenSslTimerUs = 3600u * 1000000u;
// RFC 5764 §4.2.
constexpr char kSrtpExporterLabel[] = "EXTRACTOR-dtls_srtp";
// Largest plaintext of one record (RFC 6347 §4.1 / RFC 5246 §6.2.1).
constexpr size_t kMaxRecordPlaintext = 16384;

struct SrtpKeyLengths {
  size_t key = 0;
  size_t salt = 0;
};

// RFC 5764 §4.1.2 and RFC 7714 §12: master key and salt sizes per profile.
std::optional<SrtpKeyLengths> srtp_key_lengths(uint16_t profile) {
  switch (profile) {
    case kSrtpAes128CmHmacSha1_80: return SrtpKeyLengths{16, 14};
    case kSrtpAeadAes128Gcm: return SrtpKeyLengths{16, 12};
    default: return std::nullopt;
  }
}

// RFC 8122 §5 hash function names (IANA "Hash Function Textual Names").
const EVP_MD* digest_by_name(std::string_view name) {
  if (name == "sha-256") return EVP_sha256();
  if (name == "sha-1") return EVP_sha1();
  if (name == "sha-384") return EVP_sha384();
  if (name == "sha-512") return EVP_sha512();
  return nullptr;
}

// The newest OpenSSL error as text, and an empty queue for the next caller
// on this thread (the queue is per thread, shared by every transport).
std::string take_openssl_error() {
  unsigned long code = ERR_peek_last_error();
  std::string text;
  if (code != 0) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    text = buffer.data();
  }
  ERR_clear_error();
  return text;
}

}  // namespace

// The glue OpenSSL calls: a BIO whose reads return the datagram being handled
// and whose writes are datagrams to send, and the SSL's timer and verify hooks.
struct DtlsTransportAccess {
  static DtlsTransport* from_bio(BIO* bio) { return static_cast<DtlsTransport*>(BIO_get_data(bio)); }

  static int bio_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }
  static int bio_destroy(BIO* bio) {
    BIO_set_data(bio, nullptr);
    return 1;
  }
  static int bio_read(BIO* bio, char* out, int capacity) {
    BIO_clear_retry_flags(bio);
    DtlsTransport* transport = from_bio(bio);
    int n = transport ? transport->bio_read(out, capacity) : -1;
    if (n < 0) BIO_set_retry_read(bio);
    return n;
  }
  static int bio_write(BIO* bio, const char* data, int length) {
    BIO_clear_retry_flags(bio);
    DtlsTransport* transport = from_bio(bio);
    return transport ? transport->bio_write(data, length) : length;
  }
  static long bio_ctrl(BIO* bio, int command, long number, void* pointer) {
    DtlsTransport* transport = from_bio(bio);
    return transport ? transport->bio_ctrl(command, number, pointer) : 0;
  }

  static const BIO_METHOD* bio_method() {
    // Created once per process and kept: BIO_METHODs are immutable tables.
    static const BIO_METHOD* method = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ciphertalk-dtls-datagram");
      if (!m) throw std::runtime_error("DtlsTransport: BIO_meth_new failed");
      BIO_meth_set_create(m, bio_create);
      BIO_meth_set_destroy(m, bio_destroy);
      BIO_meth_set_read(m, bio_read);
      BIO_meth_set_write(m, bio_write);
      BIO_meth_set_ctrl(m, bio_ctrl);
      return m;
    }();
    return method;
  }

  static DtlsTransport* from_ssl(SSL* ssl) { return static_cast<DtlsTransport*>(SSL_get_app_data(ssl)); }

  static unsigned int timer(SSL* ssl, unsigned int previous_us) {
    return from_ssl(ssl)->next_openssl_timer_us(previous_us);
  }

  static int verify(int preverify_ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    if (!ssl) return 0;
    return from_ssl(ssl)->verify_peer(preverify_ok, X509_STORE_CTX_get_current_cert(store),
                                      X509_STORE_CTX_get_error_depth(store));
  }
};

DtlsTransport::DtlsTransport(const DtlsCertificate& certificate, Role role, Listener& listener,
                             SrtpProfiles profiles)
    : role_(role), listener_(listener), ssl_(SSL_new(certificate.context(profiles))) {
  if (!ssl_) throw std::runtime_error("DtlsTransport: SSL_new failed");
  SSL* ssl = ssl_.get();
  SSL_set_app_data(ssl, this);

  BIO* bio = BIO_new(DtlsTransportAccess::bio_method());
  if (!bio) throw std::runtime_error("DtlsTransport: BIO_new failed");
  BIO_set_data(bio, this);
  SSL_set_bio(ssl, bio, bio);  // the SSL owns the one BIO, for both directions

  // Fragment flights to fit kMtu (SSL_OP_NO_QUERY_MTU is set on the context).
  SSL_set_mtu(ssl, kMtu);
  DTLS_set_timer_cb(ssl, DtlsTransportAccess::timer);
  SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, DtlsTransportAccess::verify);
  if (role == Role::Client) {
    SSL_set_connect_state(ssl);
  } else {
    SSL_set_accept_state(ssl);
  }
  read_buffer_.resize(kMaxRecordPlaintext);
}

DtlsTransport::~DtlsTransport() {
  // SSL_free may still flush through the BIO; nothing must reach the listener.
  if (ssl_) {
    BIO* bio = SSL_get_rbio(ssl_.get());
    if (bio) BIO_set_data(bio, nullptr);
  }
}

bool DtlsTransport::set_remote_fingerprint(std::string algorithm, std::string colon_hex) {
  RemoteFingerprint fingerprint;
  std::transform(algorithm.begin(), algorithm.end(), algorithm.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  fingerprint.algorithm = std::move(algorithm);
  const EVP_MD* md = digest_by_name(fingerprint.algorithm);
  auto digest = from_hex(colon_hex);
  fingerprint.valid = md != nullptr && digest.has_value() && digest->size() == size_t(EVP_MD_get_size(md));
  if (digest) fingerprint.digest = std::move(*digest);
  bool valid = fingerprint.valid;
  remote_fingerprint_ = std::move(fingerprint);
  // The answer may arrive after the peer finished its handshake.
  if (handshake_finished_ && state_ == State::Connecting) finish_if_verified();
  return valid;
}

void DtlsTransport::start(TimePoint now) {
  if (state_ != State::New) return;
  now_ = now;
  state_ = State::Connecting;
  handshake_deadline_ = now + kHandshakeTimeout;
  if (role_ == Role::Client) drive_handshake();
}

void DtlsTransport::handle_datagram(std::span<const uint8_t> datagram, TimePoint now) {
  now_ = now;
  if (state_ == State::New && role_ == Role::Server) start(now);
  if ((state_ != State::Connecting && state_ != State::Connected) || !count_dtls_records(datagram)) {
    ++dropped_datagrams_;
    return;
  }
  pending_datagram_ = datagram;
  if (!handshake_finished_) {
    drive_handshake();
  } else {
    read_application_data();
  }
  pending_datagram_ = {};
}

std::optional<TimePoint> DtlsTransport::next_timeout() const {
  std::optional<TimePoint> next = retransmit_deadline_;
  if (state_ == State::Connecting && handshake_deadline_) {
    next = next ? std::min(*next, *handshake_deadline_) : *handshake_deadline_;
  }
  return next;
}

void DtlsTransport::handle_timeout(TimePoint now) {
  now_ = now;
  if (state_ != State::Connecting && state_ != State::Connected) return;
  if (state_ == State::Connecting && handshake_deadline_ && now >= *handshake_deadline_) {
    fail("DTLS handshake timed out");
    return;
  }
  if (!retransmit_deadline_ || now < *retransmit_deadline_) return;

  if constexpr (kCallerDrivesOpenSslTimer) {
    if (openssl_timer_ && (openssl_timer_->tv_sec != 0 || openssl_timer_->tv_usec != 0)) {
      openssl_timer_->tv_sec = 1;  // long past, yet non-zero ("running")
      openssl_timer_->tv_usec = 0;
    }
  }
  ERR_clear_error();
  // RFC 6347 §4.2.4: resend the last flight; OpenSSL restarts its timer,
  // which (through bio_ctrl) sets our next deadline with a doubled timeout.
  int result = DTLSv1_handle_timeout(ssl_.get());
  if (result < 0) {
    std::string error = take_openssl_error();
    fail(error.empty() ? "DTLS retransmission failed" : "DTLS retransmission failed: " + error);
    return;
  }
  if (retransmit_deadline_ && *retransmit_deadline_ <= now) {
    // OpenSSL did not restart its timer (its own clock has not expired yet, or
    // the flight is complete); ask it when it wants to be called.
    timeval left{};
    if (DTLSv1_get_timeout(ssl_.get(), &left) == 1) {
      auto wait = seconds(left.tv_sec) + microseconds(left.tv_usec);
      retransmit_deadline_ = now + std::max<Duration>(wait, milliseconds(1));
    } else {
      retransmit_deadline_.reset();
    }
  }
  ERR_clear_error();
}

bool DtlsTransport::send_application_data(std::span<const uint8_t> data) {
  if (state_ != State::Connected || data.empty() || data.size() > kMaxRecordPlaintext) return false;
  ERR_clear_error();
  int result = SSL_write(ssl_.get(), data.data(), int(data.size()));
  if (result == int(data.size())) return true;
  int error = SSL_get_error(ssl_.get(), result);
  if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
    std::string text = take_openssl_error();
    fail(text.empty() ? "DTLS write failed" : "DTLS write failed: " + text);
  }
  ERR_clear_error();
  return false;
}

void DtlsTransport::close() {
  if (state_ != State::New && state_ != State::Connecting && state_ != State::Connected) return;
  if (handshake_finished_) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // sends close_notify (RFC 5246 §7.2.1)
    ERR_clear_error();
  }
  state_ = State::Closed;
  handshake_deadline_.reset();
  retransmit_deadline_.reset();
}

std::string DtlsTransport::negotiated_cipher() const {
  if (!handshake_finished_) return {};
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_.get());
  return cipher ? SSL_CIPHER_get_name(cipher) : std::string();
}

std::string DtlsTransport::negotiated_version() const {
  if (!handshake_finished_) return {};
  return SSL_get_version(ssl_.get());
}

void DtlsTransport::drive_handshake() {
  ERR_clear_error();
  int result = SSL_do_handshake(ssl_.get());
  if (result == 1) {
    on_handshake_finished();
    return;
  }
  handle_ssl_error(result, "DTLS handshake failed");
}

void DtlsTransport::handle_ssl_error(int result, std::string_view during) {
  int error = SSL_get_error(ssl_.get(), result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return;
  }
  std::string text = take_openssl_error();
  if (fingerprint_mismatch_) {
    fail("remote certificate does not match the SDP fingerprint");
  } else if (text.empty()) {
    fail(during);
  } else {
    fail(std::string(during) + ": " + text);
  }
}

void DtlsTransport::on_handshake_finished() {
  handshake_finished_ = true;
  spdlog::debug("dtls: handshake finished ({} {}, {})", negotiated_version(), negotiated_cipher(),
                role_ == Role::Server ? "server" : "client");
  finish_if_verified();
}

void DtlsTransport::finish_if_verified() {
  if (!handshake_finished_ || state_ != State::Connecting) return;
  // Without a fingerprint from SDP yet the peer is unauthenticated: hold the
  // keys until set_remote_fingerprint() (or the handshake deadline).
  if (!remote_fingerprint_) return;

  // RFC 8827 §6.5 / RFC 8122 §5: the certificate must match the fingerprint.
  X509* peer = SSL_get0_peer_certificate(ssl_.get());
  if (!peer) {
    fail("peer sent no certificate");
    return;
  }
  if (!fingerprint_matches(peer)) {
    fail("remote certificate does not match the SDP fingerprint");
    return;
  }

  const SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl_.get());
  if (!profile) {
    fail("peer negotiated no DTLS-SRTP profile (use_srtp)");
    return;
  }
  auto lengths = srtp_key_lengths(uint16_t(profile->id));
  if (!lengths) {
    fail("unsupported DTLS-SRTP profile");
    return;
  }

  // RFC 5764 §4.2: client_write_SRTP_master_key, server_write_SRTP_master_key,
  // client_write_SRTP_master_salt, server_write_SRTP_master_salt.
  std::array<uint8_t, 2 * (16 + 14)> material{};
  const size_t key = lengths->key, salt = lengths->salt;
  const size_t total = 2 * (key + salt);
  ERR_clear_error();
  if (SSL_export_keying_material(ssl_.get(), material.data(), total, kSrtpExporterLabel,
                                 sizeof(kSrtpExporterLabel) - 1, nullptr, 0, 0) != 1) {
    std::string text = take_openssl_error();
    fail("DTLS-SRTP key export failed: " + text);
    return;
  }
  auto part = [&](size_t offset, size_t length) {
    return std::vector<uint8_t>(material.begin() + std::ptrdiff_t(offset),
                                material.begin() + std::ptrdiff_t(offset + length));
  };
  auto client_key = part(0, key), server_key = part(key, key);
  auto client_salt = part(2 * key, salt), server_salt = part(2 * key + salt, salt);
  OPENSSL_cleanse(material.data(), material.size());

  KeyingMaterial keys;
  keys.srtp_profile = uint16_t(profile->id);
  if (role_ == Role::Client) {
    keys.local_key = std::move(client_key);
    keys.local_salt = std::move(client_salt);
    keys.remote_key = std::move(server_key);
    keys.remote_salt = std::move(server_salt);
  } else {
    keys.local_key = std::move(server_key);
    keys.local_salt = std::move(server_salt);
    keys.remote_key = std::move(client_key);
    keys.remote_salt = std::move(client_salt);
  }

  state_ = State::Connected;
  handshake_deadline_.reset();
  listener_.on_dtls_connected(keys);
  for (auto* v : {&keys.local_key, &keys.local_salt, &keys.remote_key, &keys.remote_salt}) {
    OPENSSL_cleanse(v->data(), v->size());
  }
  // Records that came in the same datagram as the peer's last flight.
  if (state_ == State::Connected) read_application_data();
}

void DtlsTransport::read_application_data() {
  while (state_ == State::Connected || state_ == State::Connecting) {
    ERR_clear_error();
    int result = SSL_read(ssl_.get(), read_buffer_.data(), int(read_buffer_.size()));
    if (result > 0) {
      // Nothing reaches the listener from a peer not yet checked against SDP.
      if (state_ == State::Connected) {
        listener_.on_dtls_application_data(std::span<const uint8_t>(read_buffer_.data(), size_t(result)));
      }
      continue;
    }
    if (SSL_get_error(ssl_.get(), result) == SSL_ERROR_ZERO_RETURN) {
      // close_notify: answer with our own (RFC 5246 §7.2.1) and stop.
      SSL_shutdown(ssl_.get());
      ERR_clear_error();
      state_ = State::Closed;
      handshake_deadline_.reset();
      retransmit_deadline_.reset();
      listener_.on_dtls_closed();
      return;
    }
    handle_ssl_error(result, "DTLS read failed");
    return;
  }
}

void DtlsTransport::fail(std::string_view reason) {
  if (state_ == State::Failed || state_ == State::Closed) return;
  state_ = State::Failed;
  handshake_deadline_.reset();
  retransmit_deadline_.reset();
  spdlog::debug("dtls: failed: {}", reason);
  listener_.on_dtls_failed(reason);
}

bool DtlsTransport::fingerprint_matches(X509* peer_certificate) const {
  if (!remote_fingerprint_ || !remote_fingerprint_->valid || !peer_certificate) return false;
  const EVP_MD* md = digest_by_name(remote_fingerprint_->algorithm);
  if (!md) return false;
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (X509_digest(peer_certificate, md, digest.data(), &length) != 1) return false;
  const auto& expected = remote_fingerprint_->digest;
  return length == expected.size() && CRYPTO_memcmp(digest.data(), expected.data(), length) == 0;
}

int DtlsTransport::bio_read(char* out, int capacity) {
  if (pending_datagram_.empty() || capacity <= 0) return -1;
  // One datagram per read, as a datagram socket gives it; a datagram larger
  // than OpenSSL's buffer is cut, as recv() would cut it.
  size_t n = std::min(pending_datagram_.size(), size_t(capacity));
  std::copy_n(pending_datagram_.data(), n, reinterpret_cast<uint8_t*>(out));
  pending_datagram_ = {};
  return int(n);
}

int DtlsTransport::bio_write(const char* data, int length) {
  if (length <= 0) return 0;
  listener_.on_dtls_send(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), size_t(length)));
  return length;
}

long DtlsTransport::bio_ctrl(int command, long /*number*/, void* pointer) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // every write already left as a datagram
    case BIO_CTRL_PENDING:
      return long(pending_datagram_.size());
    case BIO_CTRL_WPENDING:
      return 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:
      return kMtu;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0;  // we carry DTLS payloads; UDP/IP headers are not ours to count
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT: {
      // OpenSSL started (non-zero) or stopped (zero) its retransmission timer.
      auto* timer = static_cast<timeval*>(pointer);
      if (!timer) return 0;
      if (timer->tv_sec == 0 && timer->tv_usec == 0) {
        retransmit_deadline_.reset();
      } else {
        retransmit_deadline_ = now_ + retransmit_timeout_;
      }
      if constexpr (kCallerDrivesOpenSslTimer) openssl_timer_ = timer;
      return 1;
    }
    default:
      return 0;
  }
}

unsigned int DtlsTransport::next_openssl_timer_us(unsigned int previous_us) {
  // OpenSSL asks with 0 when a new flight starts its timer, and with the last
  // value on each expiry: RFC 6347 §4.2.4.1 doubling, capped.
  retransmit_timeout_ =
      previous_us == 0 ? kInitialRetransmitTimeout : std::min<Duration>(retransmit_timeout_ * 2, kMaxRetransmitTimeout);
  if constexpr (kCallerDrivesOpenSslTimer) return kParkedOpenSslTimerUs;
  return unsigned(std::chrono::duration_cast<microseconds>(retransmit_timeout_).count());
}

int DtlsTransport::verify_peer(int /*preverify_ok*/, X509* certificate, int depth) {
  // Self-signed is expected; only the leaf's fingerprint matters. If SDP has
  // not given one yet, finish_if_verified() checks after the handshake.
  if (depth != 0 || !remote_fingerprint_ || !certificate) return 1;
  if (fingerprint_matches(certificate)) return 1;
  fingerprint_mismatch_ = true;  // OpenSSL sends bad_certificate and fails
  return 0;
}

}  // namespace ct::dtls
