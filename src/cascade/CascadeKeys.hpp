#pragma once
// The SRTP master key and salt one node protects a cascade link's packets
// with (its own keys, made fresh for each link: nothing is derived from a
// browser's DTLS handshake). The other node receives them as text, through
// the cluster's shared store, and unprotects with them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "srtp/SrtpProfile.hpp"

namespace ct::cascade {

struct CascadeKeys {
  srtp::SrtpProfile profile = srtp::SrtpProfile::AeadAes128Gcm;
  std::vector<uint8_t> master_key;   // master_key_length(profile) bytes
  std::vector<uint8_t> master_salt;  // master_salt_length(profile) bytes

  // New random keys (OpenSSL's DRBG).
  static CascadeKeys generate(srtp::SrtpProfile profile);
  // "<suite> <base64(key || salt)>", the suite named as RFC 4568 §6.2 names it
  // (AEAD_AES_128_GCM per RFC 7714 §14.2, AES_CM_128_HMAC_SHA1_80).
  std::string to_text() const;
  // The text form back; nothing for an unknown suite, bad base64 or a wrong length.
  static std::optional<CascadeKeys> parse(std::string_view text);

  bool operator==(const CascadeKeys&) const = default;
};

}  // namespace ct::cascade
