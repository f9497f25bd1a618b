#include "srtp/SrtpKeyDerivation.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>

#include "srtp/AesCounterMode.hpp"

namespace ct::srtp {

namespace {

// RFC 3711 §4.3.1: key_id = label || r (r = 0, 48 bits), x = key_id XOR
// master_salt, both 112 bits wide with key_id right-aligned, so the label lands
// on byte 7. §4.3.3: the PRF is AES-CM keyed with the master key, IV = x * 2^16.
bool run_prf(AesCounterMode& prf, std::span<const uint8_t> master_salt, SrtpKeyLabel label, std::span<uint8_t> out) {
  std::array<uint8_t, AesCounterMode::kIvLength> iv{};
  std::copy(master_salt.begin(), master_salt.end(), iv.begin());
  iv[7] ^= uint8_t(label);
  std::fill(out.begin(), out.end(), uint8_t{0});
  return prf.apply(iv, out);
}

}  // namespace

SrtpSessionKeys::~SrtpSessionKeys() {
  OPENSSL_cleanse(encryption_key.data(), encryption_key.size());
  OPENSSL_cleanse(salt.data(), salt.size());
  OPENSSL_cleanse(auth_key.data(), auth_key.size());
}

bool derive_srtp_key(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt, SrtpKeyLabel label,
                     std::span<uint8_t> out) {
  if (master_key.size() != AesCounterMode::kKeyLength || master_salt.size() > 14) return false;
  try {
    AesCounterMode prf(master_key);
    return run_prf(prf, master_salt, label, out);
  } catch (const std::exception&) {
    return false;
  }
}

bool derive_session_keys(SrtpProfile profile, std::span<const uint8_t> master_key,
                         std::span<const uint8_t> master_salt, SrtpKeyUse use, SrtpSessionKeys& out) {
  if (master_key.size() != master_key_length(profile) || master_salt.size() != master_salt_length(profile)) {
    return false;
  }
  const bool rtcp = use == SrtpKeyUse::Rtcp;
  const auto encryption = rtcp ? SrtpKeyLabel::RtcpEncryption : SrtpKeyLabel::RtpEncryption;
  const auto authentication = rtcp ? SrtpKeyLabel::RtcpAuthentication : SrtpKeyLabel::RtpAuthentication;
  const auto salting = rtcp ? SrtpKeyLabel::RtcpSalt : SrtpKeyLabel::RtpSalt;
  out = SrtpSessionKeys{};
  out.salt_length = master_salt_length(profile);
  bool ok = false;
  try {
    AesCounterMode prf(master_key);  // one key schedule for all labels
    ok = run_prf(prf, master_salt, encryption, out.encryption_key) &&
         run_prf(prf, master_salt, salting, std::span(out.salt.data(), out.salt_length));
    // GCM authenticates with the cipher itself (RFC 7714 §11 derives no auth key).
    if (ok && profile == SrtpProfile::Aes128CmHmacSha1_80) {
      ok = run_prf(prf, master_salt, authentication, out.auth_key);
    }
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) out = SrtpSessionKeys{};
  return ok;
}

}  // namespace ct::srtp
