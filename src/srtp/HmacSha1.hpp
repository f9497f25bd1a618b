#pragma once
// HMAC-SHA1 (RFC 2104) with the inner and outer hash states precomputed from the
// key, so each message costs only hashing the message itself plus one block for
// the outer hash. Used for SRTP/SRTCP authentication (RFC 3711 §4.2.1).
#include <cstdint>
#include <memory>
#include <span>

namespace ct::srtp {

class HmacSha1 {
 public:
  static constexpr size_t kDigestLength = 20;
  static constexpr size_t kMaxKeyLength = 64;  // one SHA-1 block; SRTP uses 20

  // Throws std::invalid_argument on a key longer than one SHA-1 block.
  explicit HmacSha1(std::span<const uint8_t> key);
  ~HmacSha1();
  HmacSha1(HmacSha1&&) noexcept;
  HmacSha1& operator=(HmacSha1&&) noexcept;

  // HMAC over `first` followed by `second` (SRTP authenticates the packet
  // followed by the ROC, RFC 3711 §4.2).
  void compute(std::span<const uint8_t> first, std::span<const uint8_t> second,
               std::span<uint8_t, kDigestLength> out) const;

 private:
  struct State;  // the two precomputed SHA-1 states; allocated once per key
  std::unique_ptr<State> state_;
};

}  // namespace ct::srtp
