#include "srtp/AesGcm.hpp"

#include <openssl/evp.h>

#include <climits>
#include <stdexcept>

namespace ct::srtp {

void AesGcm::ContextDeleter::operator()(evp_cipher_ctx_st* ctx) const { EVP_CIPHER_CTX_free(ctx); }

AesGcm::AesGcm(std::span<const uint8_t> key, Mode mode) : ctx_(EVP_CIPHER_CTX_new()), mode_(mode) {
  if (key.size() != kKeyLength) throw std::invalid_argument("AES-128-GCM key must be 16 bytes");
  const int encrypt = mode == Mode::Seal ? 1 : 0;
  // 12-byte IV is GCM's default IV length in OpenSSL, so no SET_IVLEN is needed.
  if (!ctx_ || EVP_CipherInit_ex(ctx_.get(), EVP_aes_128_gcm(), nullptr, key.data(), nullptr, encrypt) != 1) {
    throw std::runtime_error("EVP_aes_128_gcm setup failed");
  }
}

AesGcm::~AesGcm() = default;
AesGcm::AesGcm(AesGcm&&) noexcept = default;
AesGcm& AesGcm::operator=(AesGcm&&) noexcept = default;

bool AesGcm::begin(std::span<const uint8_t, kIvLength> iv, std::span<const uint8_t> aad_head,
                   std::span<const uint8_t> aad_tail) {
  if (aad_head.size() > size_t(INT_MAX) || aad_tail.size() > size_t(INT_MAX)) return false;
  // enc = -1 keeps the direction chosen at construction; only the IV is loaded.
  if (EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, iv.data(), -1) != 1) return false;
  int written = 0;
  if (!aad_head.empty() &&
      EVP_CipherUpdate(ctx_.get(), nullptr, &written, aad_head.data(), int(aad_head.size())) != 1) {
    return false;
  }
  if (!aad_tail.empty() &&
      EVP_CipherUpdate(ctx_.get(), nullptr, &written, aad_tail.data(), int(aad_tail.size())) != 1) {
    return false;
  }
  return true;
}

bool AesGcm::seal(std::span<const uint8_t, kIvLength> iv, std::span<const uint8_t> aad_head,
                  std::span<const uint8_t> aad_tail, std::span<uint8_t> data, std::span<uint8_t, kTagLength> tag) {
  if (mode_ != Mode::Seal || data.size() > size_t(INT_MAX) || !begin(iv, aad_head, aad_tail)) return false;
  int written = 0;
  if (!data.empty() && EVP_CipherUpdate(ctx_.get(), data.data(), &written, data.data(), int(data.size())) != 1) {
    return false;
  }
  int final_written = 0;
  if (EVP_CipherFinal_ex(ctx_.get(), data.data() + written, &final_written) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_GET_TAG, int(kTagLength), tag.data()) == 1;
}

bool AesGcm::open(std::span<const uint8_t, kIvLength> iv, std::span<const uint8_t> aad_head,
                  std::span<const uint8_t> aad_tail, std::span<uint8_t> data,
                  std::span<const uint8_t, kTagLength> tag) {
  if (mode_ != Mode::Open || data.size() > size_t(INT_MAX) || !begin(iv, aad_head, aad_tail)) return false;
  int written = 0;
  if (!data.empty() && EVP_CipherUpdate(ctx_.get(), data.data(), &written, data.data(), int(data.size())) != 1) {
    return false;
  }
  // OpenSSL takes a non-const pointer for SET_TAG but only copies from it.
  if (EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_SET_TAG, int(kTagLength), const_cast<uint8_t*>(tag.data())) != 1) {
    return false;
  }
  int final_written = 0;
  // Final compares the computed tag with the expected one in constant time.
  return EVP_CipherFinal_ex(ctx_.get(), data.data() + written, &final_written) == 1;
}

}  // namespace ct::srtp
