#pragma once
// AEAD_AES_128_GCM (RFC 5116 §5.1, as RFC 7714 uses it) over OpenSSL's
// EVP_aes_128_gcm. One instance either seals or opens; the key schedule is set
// up once and each packet only loads a new IV, so the per-packet path does not
// allocate.
#include <cstdint>
#include <memory>
#include <span>

struct evp_cipher_ctx_st;

namespace ct::srtp {

class AesGcm {
 public:
  static constexpr size_t kKeyLength = 16;
  static constexpr size_t kIvLength = 12;
  static constexpr size_t kTagLength = 16;
  enum class Mode { Seal, Open };

  // Throws std::invalid_argument on a key that is not 16 bytes, std::runtime_error
  // if OpenSSL cannot set up the cipher.
  AesGcm(std::span<const uint8_t> key, Mode mode);
  ~AesGcm();
  AesGcm(AesGcm&&) noexcept;
  AesGcm& operator=(AesGcm&&) noexcept;

  Mode mode() const { return mode_; }

  // The associated data is aad_head followed by aad_tail (SRTCP authenticates
  // the header and the trailing E||index, which are not adjacent in the packet).
  // Encrypts `data` in place and writes the tag. False on an OpenSSL error.
  bool seal(std::span<const uint8_t, kIvLength> iv, std::span<const uint8_t> aad_head,
            std::span<const uint8_t> aad_tail, std::span<uint8_t> data, std::span<uint8_t, kTagLength> tag);
  // Decrypts `data` in place; false if the tag does not verify (then `data` holds
  // unauthenticated bytes the caller must drop).
  bool open(std::span<const uint8_t, kIvLength> iv, std::span<const uint8_t> aad_head,
            std::span<const uint8_t> aad_tail, std::span<uint8_t> data, std::span<const uint8_t, kTagLength> tag);

 private:
  bool begin(std::span<const uint8_t, kIvLength> iv, std::span<const uint8_t> aad_head,
             std::span<const uint8_t> aad_tail);

  struct ContextDeleter {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_cipher_ctx_st, ContextDeleter> ctx_;
  Mode mode_;
};

}  // namespace ct::srtp
