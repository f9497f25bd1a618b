#include "srtp/SrtpProfile.hpp"

namespace ct::srtp {

size_t master_key_length(SrtpProfile) { return 16; }

size_t master_salt_length(SrtpProfile profile) {
  return profile == SrtpProfile::AeadAes128Gcm ? 12 : 14;
}

size_t auth_tag_length(SrtpProfile profile) {
  return profile == SrtpProfile::AeadAes128Gcm ? 16 : 10;
}

size_t rtp_overhead(SrtpProfile profile) { return auth_tag_length(profile); }

size_t rtcp_overhead(SrtpProfile profile) { return auth_tag_length(profile) + 4; }

std::string_view to_string(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::Aes128CmHmacSha1_80:
      return "SRTP_AES128_CM_HMAC_SHA1_80";
    case SrtpProfile::AeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
  }
  return "unknown";
}

}  // namespace ct::srtp
