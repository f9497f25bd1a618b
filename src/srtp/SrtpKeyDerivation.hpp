#pragma once
// SRTP key derivation (RFC 3711 §4.3): the AES-CM PRF turns a master key and
// master salt into the session keys. RFC 7714 §11 keeps the same KDF for GCM.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "srtp/SrtpProfile.hpp"

namespace ct::srtp {

// RFC 3711 §4.3.2, Table of labels.
enum class SrtpKeyLabel : uint8_t {
  RtpEncryption = 0x00,
  RtpAuthentication = 0x01,
  RtpSalt = 0x02,
  RtcpEncryption = 0x03,
  RtcpAuthentication = 0x04,
  RtcpSalt = 0x05,
};

// Fills `out` with PRF output for `label` (RFC 3711 §4.3.1 and §4.3.3) with
// key_derivation_rate 0, the only rate DTLS-SRTP uses (RFC 5764 §4.1.2), so
// r = 0 and keys are derived once per master key. master_key must be 16 bytes,
// master_salt at most 14 (a 12-byte GCM salt is padded with zeros on the right).
// False on wrong sizes or an OpenSSL error.
bool derive_srtp_key(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt, SrtpKeyLabel label,
                     std::span<uint8_t> out);

// The session keys of one of SRTP or SRTCP.
struct SrtpSessionKeys {
  std::array<uint8_t, 16> encryption_key{};
  std::array<uint8_t, 14> salt{};  // first salt_length bytes used: 14 (CM), 12 (GCM)
  size_t salt_length = 0;
  std::array<uint8_t, 20> auth_key{};  // HMAC-SHA1 key; unused by GCM

  std::span<const uint8_t> salt_bytes() const { return {salt.data(), salt_length}; }
  ~SrtpSessionKeys();  // wipes the key material
};

enum class SrtpKeyUse { Rtp, Rtcp };

// Derives the keys `profile` needs for SRTP or SRTCP. False on wrong sizes.
bool derive_session_keys(SrtpProfile profile, std::span<const uint8_t> master_key,
                         std::span<const uint8_t> master_salt, SrtpKeyUse use, SrtpSessionKeys& out);

}  // namespace ct::srtp
