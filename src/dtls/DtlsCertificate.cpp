#include "dtls/DtlsCertificate.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <stdexcept>

#include "core/Encoding.hpp"
#include "core/Random.hpp"

namespace ct::dtls {
namespace {

constexpr long kValiditySeconds = 30L * 24 * 3600;
// A day of slack before "now" so a peer whose clock runs a little behind does
// not see a certificate from the future (browsers do not check it, but other
// stacks may).
constexpr long kBackdateSeconds = 24L * 3600;

// ECDHE key exchange only (forward secrecy). ECDSA suites first because our
// own certificate is ECDSA; RSA suites let the client role talk to peers with
// RSA certificates. AES-GCM first: hardware AES, and what WebRTC stacks prefer.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-RSA-AES256-SHA";
constexpr const char* kGroups = "X25519:P-256:P-384";

// RFC 5764 §4.1.2 profile names as OpenSSL spells them, in preference order.
constexpr const char* kSrtpProfilesAll = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";
constexpr const char* kSrtpProfilesCmOnly = "SRTP_AES128_CM_SHA1_80";

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("DtlsCertificate: ") + what); }

// Self-signed peer certificates are the norm in WebRTC; the chain is not
// what authenticates the peer, the SDP fingerprint is (RFC 8827 §6.5), and
// DtlsTransport checks that. A transport may install a stricter callback.
int accept_any_certificate(int /*preverify_ok*/, X509_STORE_CTX* /*store*/) { return 1; }

EvpPkeyPtr generate_key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("EC P-256 key generation failed");
  return key;
}

X509Ptr make_self_signed(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new failed");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) fail("X509_set_version failed");

  // A random positive 63-bit serial: unique enough that a browser never sees
  // two of our certificates with the same issuer and serial.
  std::array<uint8_t, 8> serial_bytes;
  random_bytes(serial_bytes);
  serial_bytes[0] &= 0x7F;
  serial_bytes[0] |= 0x01;
  BIGNUM* serial_bn = BN_bin2bn(serial_bytes.data(), int(serial_bytes.size()), nullptr);
  if (!serial_bn) fail("BN_bin2bn failed");
  ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert.get()));
  BN_free(serial_bn);
  if (!serial) fail("BN_to_ASN1_INTEGER failed");

  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds)) {
    fail("X509_gmtime_adj failed");
  }

  X509_NAME* name = X509_get_subject_name(cert.get());
  static constexpr unsigned char kCommonName[] = "ciphertalk";
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, kCommonName, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    fail("setting the certificate name failed");
  }
  if (X509_set_pubkey(cert.get(), key) != 1) fail("X509_set_pubkey failed");
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) fail("X509_sign failed");
  return cert;
}

SslCtxPtr make_context(EVP_PKEY* key, X509* cert, const char* srtp_profiles) {
  SslCtxPtr ctx(SSL_CTX_new(DTLS_method()));
  if (!ctx) fail("SSL_CTX_new failed");
  SSL_CTX* c = ctx.get();
  // DTLS 1.2 only, and no upper pin: OpenSSL 3.0 has no DTLS 1.3, so a
  // Chromium ClientHello offering 1.3 in supported_versions settles on 1.2.
  if (SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) != 1) fail("SSL_CTX_set_min_proto_version failed");
  if (SSL_CTX_use_certificate(c, cert) != 1) fail("SSL_CTX_use_certificate failed");
  if (SSL_CTX_use_PrivateKey(c, key) != 1) fail("SSL_CTX_use_PrivateKey failed");
  if (SSL_CTX_check_private_key(c) != 1) fail("certificate and key do not match");
  if (SSL_CTX_set_cipher_list(c, kCipherList) != 1) fail("SSL_CTX_set_cipher_list failed");
  if (SSL_CTX_set1_groups_list(c, kGroups) != 1) fail("SSL_CTX_set1_groups_list failed");
  // Note the inverted convention: 0 means success (RFC 5764 use_srtp).
  if (SSL_CTX_set_tlsext_use_srtp(c, srtp_profiles) != 0) fail("SSL_CTX_set_tlsext_use_srtp failed");
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
  // Datagrams are handed over one at a time; read-ahead would merge them.
  SSL_CTX_set_read_ahead(c, 0);
  // Each transport sets its MTU itself instead of asking a socket it has not
  // got. Sessions are never resumed (each call has a fresh certificate
  // exchange), and renegotiation is not used by WebRTC.
  SSL_CTX_set_options(c, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                             SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  return ctx;
}

}  // namespace

DtlsCertificate::DtlsCertificate()
    : key_(generate_key()),
      certificate_(make_self_signed(key_.get())),
      context_all_(make_context(key_.get(), certificate_.get(), kSrtpProfilesAll)),
      context_cm_only_(make_context(key_.get(), certificate_.get(), kSrtpProfilesCmOnly)) {
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest;
  unsigned int length = 0;
  if (X509_digest(certificate_.get(), EVP_sha256(), digest.data(), &length) != 1) fail("X509_digest failed");
  fingerprint_sha256_ = to_colon_hex(std::span<const uint8_t>(digest.data(), length));
}

DtlsCertificate::~DtlsCertificate() = default;
DtlsCertificate::DtlsCertificate(DtlsCertificate&&) noexcept = default;
DtlsCertificate& DtlsCertificate::operator=(DtlsCertificate&&) noexcept = default;

ssl_ctx_st* DtlsCertificate::context(SrtpProfiles profiles) const {
  return profiles == SrtpProfiles::CmOnly ? context_cm_only_.get() : context_all_.get();
}

}  // namespace ct::dtls
