#include "stun/StunCredentials.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace ct::stun {
namespace {

template <size_t N>
std::array<uint8_t, N> digest_credentials(const char* algorithm, std::string_view username,
                                          std::string_view realm, std::string_view password) {
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(EVP_MD_fetch(nullptr, algorithm, nullptr), EVP_MD_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::array<uint8_t, N> out{};
  unsigned len = 0;
  bool ok = md && ctx && EVP_DigestInit_ex2(ctx.get(), md.get(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), username.data(), username.size()) == 1 &&
            EVP_DigestUpdate(ctx.get(), ":", 1) == 1 &&
            EVP_DigestUpdate(ctx.get(), realm.data(), realm.size()) == 1 &&
            EVP_DigestUpdate(ctx.get(), ":", 1) == 1 &&
            EVP_DigestUpdate(ctx.get(), password.data(), password.size()) == 1 &&
            EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == N;
  if (!ok) throw std::runtime_error(std::string("STUN long-term key: ") + algorithm + " digest failed");
  return out;
}

}  // namespace

std::array<uint8_t, 16> long_term_key(std::string_view username, std::string_view realm,
                                      std::string_view password) {
  return digest_credentials<16>("MD5", username, realm, password);
}

std::array<uint8_t, 32> long_term_key_sha256(std::string_view username, std::string_view realm,
                                             std::string_view password) {
  return digest_credentials<32>("SHA256", username, realm, password);
}

}  // namespace ct::stun
