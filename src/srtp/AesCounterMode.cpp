#include "srtp/AesCounterMode.hpp"

#include <openssl/evp.h>

#include <climits>
#include <stdexcept>

namespace ct::srtp {

void AesCounterMode::ContextDeleter::operator()(evp_cipher_ctx_st* ctx) const { EVP_CIPHER_CTX_free(ctx); }

AesCounterMode::AesCounterMode(std::span<const uint8_t> key) : ctx_(EVP_CIPHER_CTX_new()) {
  if (key.size() != kKeyLength) throw std::invalid_argument("AES-128-CM key must be 16 bytes");
  if (!ctx_ || EVP_EncryptInit_ex(ctx_.get(), EVP_aes_128_ctr(), nullptr, key.data(), nullptr) != 1) {
    throw std::runtime_error("EVP_aes_128_ctr setup failed");
  }
}

AesCounterMode::~AesCounterMode() = default;
AesCounterMode::AesCounterMode(AesCounterMode&&) noexcept = default;
AesCounterMode& AesCounterMode::operator=(AesCounterMode&&) noexcept = default;

bool AesCounterMode::apply(std::span<const uint8_t, kIvLength> iv, std::span<uint8_t> data) {
  if (data.empty()) return true;
  if (data.size() > size_t(INT_MAX)) return false;
  // Only the IV changes: the expanded key stays in the context.
  if (EVP_EncryptInit_ex(ctx_.get(), nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  int written = 0;
  return EVP_EncryptUpdate(ctx_.get(), data.data(), &written, data.data(), int(data.size())) == 1 &&
         size_t(written) == data.size();
}

}  // namespace ct::srtp
