// OpenSSL 3 marks the low-level SHA1_* functions deprecated in favour of EVP.
// They stay here on purpose: copying a plain SHA_CTX that holds the
// precomputed ipad/opad state is a struct copy, while EVP_MD_CTX_copy_ex
// duplicates the provider context on the heap at every copy (one allocation
// each, two per packet) and measured slower in bench_srtp (BM_HmacSha1/*).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "srtp/HmacSha1.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace ct::srtp {

struct HmacSha1::State {
  SHA_CTX inner;  // after hashing key ^ ipad
  SHA_CTX outer;  // after hashing key ^ opad
};

HmacSha1::HmacSha1(std::span<const uint8_t> key) : state_(std::make_unique<State>()) {
  if (key.size() > kMaxKeyLength) throw std::invalid_argument("HMAC-SHA1 key longer than one block");
  // RFC 2104 §2: pad the key to the block size, XOR with ipad / opad.
  std::array<uint8_t, SHA_CBLOCK> inner_pad{};
  std::array<uint8_t, SHA_CBLOCK> outer_pad{};
  for (size_t i = 0; i < SHA_CBLOCK; ++i) {
    const uint8_t k = i < key.size() ? key[i] : 0;
    inner_pad[i] = k ^ 0x36;
    outer_pad[i] = k ^ 0x5c;
  }
  SHA1_Init(&state_->inner);
  SHA1_Update(&state_->inner, inner_pad.data(), inner_pad.size());
  SHA1_Init(&state_->outer);
  SHA1_Update(&state_->outer, outer_pad.data(), outer_pad.size());
  OPENSSL_cleanse(inner_pad.data(), inner_pad.size());
  OPENSSL_cleanse(outer_pad.data(), outer_pad.size());
}

HmacSha1::~HmacSha1() {
  if (state_) OPENSSL_cleanse(state_.get(), sizeof(State));
}
HmacSha1::HmacSha1(HmacSha1&&) noexcept = default;
HmacSha1& HmacSha1::operator=(HmacSha1&&) noexcept = default;

void HmacSha1::compute(std::span<const uint8_t> first, std::span<const uint8_t> second,
                       std::span<uint8_t, kDigestLength> out) const {
  SHA_CTX ctx = state_->inner;
  if (!first.empty()) SHA1_Update(&ctx, first.data(), first.size());
  if (!second.empty()) SHA1_Update(&ctx, second.data(), second.size());
  std::array<uint8_t, kDigestLength> inner_digest;
  SHA1_Final(inner_digest.data(), &ctx);
  ctx = state_->outer;
  SHA1_Update(&ctx, inner_digest.data(), inner_digest.size());
  SHA1_Final(out.data(), &ctx);
}

}  // namespace ct::srtp
