#include "dtls/DtlsCertificate.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

namespace ct::dtls {
namespace {

TEST(DtlsCertificate, FingerprintIs32ColonSeparatedUpperCaseBytes) {
  DtlsCertificate certificate;
  const std::string& fp = certificate.fingerprint_sha256();
  EXPECT_EQ(fp.size(), 32u * 3 - 1);
  // "XX:XX:...": upper-case hex pairs, a colon after every pair but the last.
  for (size_t i = 0; i < fp.size(); ++i) {
    if (i % 3 == 2) {
      EXPECT_EQ(fp[i], ':') << fp;
    } else {
      EXPECT_TRUE((fp[i] >= '0' && fp[i] <= '9') || (fp[i] >= 'A' && fp[i] <= 'F')) << fp;
    }
  }
}

TEST(DtlsCertificate, EachCertificateIsFresh) {
  DtlsCertificate a, b;
  EXPECT_NE(a.fingerprint_sha256(), b.fingerprint_sha256());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.certificate()), X509_get0_serialNumber(b.certificate())), 0);
}

TEST(DtlsCertificate, IsSelfSignedEcdsaP256NamedCiphertalk) {
  DtlsCertificate certificate;
  X509* cert = certificate.certificate();
  EVP_PKEY* key = X509_get0_pubkey(cert);
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  char group[64] = {};
  size_t group_length = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof(group), &group_length), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_verify(cert, key), 1);
  char name[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof(name));
  EXPECT_STREQ(name, "ciphertalk");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)), 0);
  // About 30 days of validity from now.
  int days = 0, secs = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert)), 1);
  EXPECT_GE(days, 29);
  EXPECT_LE(days, 30);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert)), 0);
}

TEST(DtlsCertificate, MovesKeepTheIdentity) {
  DtlsCertificate a;
  std::string fp = a.fingerprint_sha256();
  ssl_ctx_st* ctx = a.context(SrtpProfiles::All);
  DtlsCertificate b(std::move(a));
  EXPECT_EQ(b.fingerprint_sha256(), fp);
  EXPECT_EQ(b.context(SrtpProfiles::All), ctx);
  DtlsCertificate c;
  c = std::move(b);
  EXPECT_EQ(c.fingerprint_sha256(), fp);
}

TEST(DtlsCertificate, ContextsOfferTheSrtpProfilesInOrder) {
  DtlsCertificate certificate;
  auto names = [](SSL_CTX* ctx) {
    SSL* ssl = SSL_new(ctx);
    std::string out;
    STACK_OF(SRTP_PROTECTION_PROFILE)* profiles = SSL_get_srtp_profiles(ssl);
    for (int i = 0; i < sk_SRTP_PROTECTION_PROFILE_num(profiles); ++i) {
      if (!out.empty()) out += ':';
      out += sk_SRTP_PROTECTION_PROFILE_value(profiles, i)->name;
    }
    SSL_free(ssl);
    return out;
  };
  EXPECT_EQ(names(certificate.context(SrtpProfiles::All)), "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80");
  EXPECT_EQ(names(certificate.context(SrtpProfiles::CmOnly)), "SRTP_AES128_CM_SHA1_80");
  EXPECT_EQ(SSL_CTX_get_min_proto_version(certificate.context(SrtpProfiles::All)), DTLS1_2_VERSION);
}

}  // namespace
}  // namespace ct::dtls
