// Access token verification on arbitrary input, with a fixed key set.
// First byte even: the rest is the token text, as a client would send it.
// First byte odd: the rest is a payload that gets a valid HS256 header and
// signature, so claim and grant parsing (reached only after the signature
// check) is exercised too.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/Encoding.hpp"
#include "signal/AccessToken.hpp"

namespace {
const std::string kSecret = "fuzz-secret-0123456789abcdef0123456789";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ct::signal::AccessTokenVerifier verifier(
      std::map<std::string, std::string>{{"APIkey1", kSecret}, {"devkey", "fuzz-devsecret-0123456789abcdef0123"}});
  static const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  if (size == 0) return 0;
  std::span<const uint8_t> rest(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    (void)verifier.verify(std::string_view(reinterpret_cast<const char*>(rest.data()), rest.size()), now);
    return 0;
  }
  static const std::string header = ct::base64url_encode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(R"({"alg":"HS256","typ":"JWT"})"), 27));
  std::string input = header + "." + ct::base64url_encode(rest);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), kSecret.data(), int(kSecret.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &mac_len);
  std::string token = input + "." + ct::base64url_encode(std::span<const uint8_t>(mac, mac_len));
  auto result = verifier.verify(token, now);
  if (result.ok()) {
    // Whatever was accepted must be self-consistent.
    if (result->grants.room_join && (result->identity.empty() || result->grants.room.empty())) __builtin_trap();
  }
  return 0;
}
