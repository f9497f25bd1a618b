#include "turn/NonceIssuer.hpp"

#include <openssl/crypto.h>

#include "core/Encoding.hpp"
#include "core/Endian.hpp"
#include "core/Random.hpp"
#include "stun/StunCrypto.hpp"

namespace ct::turn {

NonceIssuer::NonceIssuer(std::chrono::seconds lifetime) : lifetime_(lifetime) { random_bytes(key_); }

std::string NonceIssuer::sign(uint64_t expiry) const {
  std::array<uint8_t, 8> stamp{};
  store_u64(stamp.data(), expiry);
  std::array<uint8_t, 20> mac{};
  stun::hmac(stun::HmacDigest::Sha1, key_, stamp, {}, mac.data());
  // 16 hex chars of expiry, 24 of MAC: 40 characters, well under RFC 8489's 763-byte limit.
  return to_hex(stamp) + to_hex(std::span<const uint8_t>(mac.data(), 12));
}

std::string NonceIssuer::make(TimePoint now) const {
  auto expiry = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + lifetime_).count();
  return sign(uint64_t(expiry));
}

bool NonceIssuer::valid(std::string_view nonce, TimePoint now) const {
  if (nonce.size() != 40) return false;
  auto stamp = from_hex(nonce.substr(0, 16));
  if (!stamp || stamp->size() != 8) return false;
  uint64_t expiry = load_u64(stamp->data());
  std::string expected = sign(expiry);
  if (CRYPTO_memcmp(expected.data(), nonce.data(), expected.size()) != 0) return false;
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return int64_t(expiry) >= now_s;
}

}  // namespace ct::turn
