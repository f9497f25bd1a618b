#include "stun/StunCrypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>

namespace ct::stun {
namespace {

// One digest context per thread, reused for every packet. OpenSSL's own HMAC
// provider copies the key to a fresh heap block on every init; building HMAC
// from the digest directly avoids that per-packet allocation.
struct DigestState {
  EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();

  DigestState() = default;
  DigestState(const DigestState&) = delete;
  DigestState& operator=(const DigestState&) = delete;
  ~DigestState() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(sha256);
    EVP_MD_free(sha1);
  }
};

DigestState& digest_state() {
  thread_local DigestState state;
  return state;
}

constexpr size_t kBlockSize = 64;  // SHA-1 and SHA-256 both hash 64-byte blocks

bool digest_parts(EVP_MD_CTX* ctx, const EVP_MD* md, std::span<const uint8_t> a, std::span<const uint8_t> b,
                  std::span<const uint8_t> c, uint8_t* out) {
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1) return false;
  if (!a.empty() && EVP_DigestUpdate(ctx, a.data(), a.size()) != 1) return false;
  if (!b.empty() && EVP_DigestUpdate(ctx, b.data(), b.size()) != 1) return false;
  if (!c.empty() && EVP_DigestUpdate(ctx, c.data(), c.size()) != 1) return false;
  unsigned len = 0;
  return EVP_DigestFinal_ex(ctx, out, &len) == 1;
}

using CrcTables = std::array<std::array<uint32_t, 256>, 4>;

// Slicing-by-4 tables for the reflected polynomial 0xEDB88320.
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t s = 1; s < 4; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
  return t;
}

constexpr CrcTables kCrcTables = make_crc_tables();

}  // namespace

bool hmac(HmacDigest digest, std::span<const uint8_t> key, std::span<const uint8_t> first,
          std::span<const uint8_t> second, uint8_t* out) {
  DigestState& st = digest_state();
  if (st.ctx == nullptr || st.sha1 == nullptr || st.sha256 == nullptr) return false;
  const EVP_MD* md = digest == HmacDigest::Sha1 ? st.sha1 : st.sha256;
  const size_t out_size = hmac_size(digest);

  // RFC 2104 §2: a key longer than the block is hashed first, then zero-padded.
  std::array<uint8_t, kBlockSize> block_key{};
  if (key.size() > kBlockSize) {
    if (!digest_parts(st.ctx, md, key, {}, {}, block_key.data())) return false;
  } else if (!key.empty()) {
    std::memcpy(block_key.data(), key.data(), key.size());
  }

  std::array<uint8_t, kBlockSize> pad;
  std::array<uint8_t, 32> inner;
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block_key[i] ^ 0x36;
  bool ok = digest_parts(st.ctx, md, pad, first, second, inner.data());
  if (ok) {
    for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block_key[i] ^ 0x5C;
    ok = digest_parts(st.ctx, md, pad, std::span(inner.data(), out_size), {}, out);
  }
  OPENSSL_cleanse(block_key.data(), block_key.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  return ok;
}

uint32_t crc32(std::span<const uint8_t> data) {
  uint32_t crc = 0xFFFFFFFFu;
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n >= 4) {
    crc ^= uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    crc = kCrcTables[3][crc & 0xFF] ^ kCrcTables[2][(crc >> 8) & 0xFF] ^ kCrcTables[1][(crc >> 16) & 0xFF] ^
          kCrcTables[0][crc >> 24];
    p += 4;
    n -= 4;
  }
  while (n-- > 0) crc = kCrcTables[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace ct::stun
