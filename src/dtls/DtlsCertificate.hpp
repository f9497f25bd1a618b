#pragma once
// The server's DTLS identity: an ECDSA P-256 key and a self-signed X.509
// certificate made at start (DESIGN.md §4), advertised in SDP as
// a=fingerprint (RFC 8122 §5), plus the SSL_CTXs every DtlsTransport is made
// from. Peers are authenticated by that fingerprint, never by a CA
// (RFC 8827 §6.5).
#include <string>

#include "dtls/OpenSslFree.hpp"

namespace ct::dtls {

// Which DTLS-SRTP protection profiles (RFC 5764 §4.1.2) a transport offers.
enum class SrtpProfiles {
  All,     // SRTP_AEAD_AES_128_GCM (RFC 7714), then SRTP_AES128_CM_HMAC_SHA1_80
  CmOnly,  // SRTP_AES128_CM_HMAC_SHA1_80 only (a server flag, for testing)
};

class DtlsCertificate {
 public:
  // Generates a fresh key and certificate. Throws std::runtime_error only if
  // OpenSSL itself fails (out of memory, broken installation).
  DtlsCertificate();
  ~DtlsCertificate();
  DtlsCertificate(DtlsCertificate&&) noexcept;
  DtlsCertificate& operator=(DtlsCertificate&&) noexcept;
  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;

  // "AB:CD:..." (32 upper-case bytes) for `a=fingerprint:sha-256 ...`.
  const std::string& fingerprint_sha256() const { return fingerprint_sha256_; }

  // The context to make an SSL from; owned by this certificate, which must
  // outlive every SSL made from it (OpenSSL reference-counts it, so in fact
  // they keep it alive, but the transport API promises no more than this).
  ssl_ctx_st* context(SrtpProfiles profiles) const;

  x509_st* certificate() const { return certificate_.get(); }

 private:
  EvpPkeyPtr key_;
  X509Ptr certificate_;
  SslCtxPtr context_all_;
  SslCtxPtr context_cm_only_;
  std::string fingerprint_sha256_;
};

}  // namespace ct::dtls
