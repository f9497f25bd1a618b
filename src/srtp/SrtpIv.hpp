#pragma once
// Per-packet IVs of the SRTP ciphers, built from the session salt, the SSRC and
// the packet index (the 48-bit ROC||SEQ for SRTP, the 31-bit SRTCP index).
#include <array>
#include <cstdint>
#include <span>

#include "core/Endian.hpp"

namespace ct::srtp {

// AES-CM, RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16),
// with the 14-byte session salt k_s.
inline std::array<uint8_t, 16> aes_cm_iv(std::span<const uint8_t, 14> salt, uint32_t ssrc, uint64_t index) {
  std::array<uint8_t, 16> iv{};
  for (size_t i = 0; i < 14; ++i) iv[i] = salt[i];
  uint8_t field[10];
  store_u32(field, ssrc);
  store_u16(field + 4, uint16_t(index >> 32));
  store_u32(field + 6, uint32_t(index));
  for (size_t i = 0; i < 10; ++i) iv[4 + i] ^= field[i];
  return iv;
}

// AES-GCM, RFC 7714 §8.1 (SRTP: 00 00 || SSRC || ROC || SEQ) and §9.1 (SRTCP:
// 00 00 || SSRC || 00 00 || 0 || SRTCP index), XOR the 12-byte session salt.
// Both are 00 00 || SSRC || 48-bit index.
inline std::array<uint8_t, 12> aes_gcm_iv(std::span<const uint8_t, 12> salt, uint32_t ssrc, uint64_t index) {
  std::array<uint8_t, 12> iv{};
  store_u32(iv.data() + 2, ssrc);
  store_u16(iv.data() + 6, uint16_t(index >> 32));
  store_u32(iv.data() + 8, uint32_t(index));
  for (size_t i = 0; i < 12; ++i) iv[i] ^= salt[i];
  return iv;
}

}  // namespace ct::srtp
