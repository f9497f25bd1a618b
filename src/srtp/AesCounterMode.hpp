#pragma once
// AES-128 in counter mode (RFC 3711 §4.1.1) over OpenSSL's EVP_aes_128_ctr.
// The key schedule is set up once; each packet only loads a new counter block,
// so the per-packet path does not allocate.
#include <cstdint>
#include <memory>
#include <span>

struct evp_cipher_ctx_st;

namespace ct::srtp {

class AesCounterMode {
 public:
  static constexpr size_t kKeyLength = 16;
  static constexpr size_t kIvLength = 16;

  // Throws std::invalid_argument on a key that is not 16 bytes, std::runtime_error
  // if OpenSSL cannot set up the cipher.
  explicit AesCounterMode(std::span<const uint8_t> key);
  ~AesCounterMode();
  AesCounterMode(AesCounterMode&&) noexcept;
  AesCounterMode& operator=(AesCounterMode&&) noexcept;

  // XORs the keystream that starts at counter block `iv` into `data`, in place.
  // Encryption and decryption are the same operation. False on an OpenSSL error.
  bool apply(std::span<const uint8_t, kIvLength> iv, std::span<uint8_t> data);

 private:
  struct ContextDeleter {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_cipher_ctx_st, ContextDeleter> ctx_;
};

}  // namespace ct::srtp
