#pragma once
// Stateless nonces for long-term authentication (RFC 8489 §9.2): the nonce
// carries its own expiry and an HMAC of it under a per-process key, so the
// server stores nothing per client and can still tell a stale nonce (438)
// from a forged one.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/Clock.hpp"

namespace ct::turn {

class NonceIssuer {
 public:
  explicit NonceIssuer(std::chrono::seconds lifetime);

  std::string make(TimePoint now) const;
  // True if `nonce` was made by this issuer and has not expired.
  bool valid(std::string_view nonce, TimePoint now) const;

 private:
  std::string sign(uint64_t expiry) const;
  std::chrono::seconds lifetime_;
  std::array<uint8_t, 32> key_{};
};

}  // namespace ct::turn
