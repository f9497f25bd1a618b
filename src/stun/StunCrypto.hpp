#pragma once
// The keyed hashes and checksum STUN needs: HMAC-SHA1 / HMAC-SHA256 for
// MESSAGE-INTEGRITY(-SHA256) (RFC 8489 §14.5, §14.6) and CRC-32 for
// FINGERPRINT (§14.7). The HMACs run on OpenSSL's digests through one
// per-thread context, so checking a packet allocates nothing.
#include <cstdint>
#include <span>

namespace ct::stun {

enum class HmacDigest { Sha1, Sha256 };

constexpr size_t hmac_size(HmacDigest d) { return d == HmacDigest::Sha1 ? 20 : 32; }

// HMAC (RFC 2104) of `first` followed by `second` under `key`; writes
// hmac_size(digest) bytes to `out`. Returns false only if OpenSSL fails.
bool hmac(HmacDigest digest, std::span<const uint8_t> key, std::span<const uint8_t> first,
          std::span<const uint8_t> second, uint8_t* out);

// CRC-32 as ISO/IEC 13239 / ITU-T V.42 define it (the zlib/Ethernet one).
uint32_t crc32(std::span<const uint8_t> data);

}  // namespace ct::stun
