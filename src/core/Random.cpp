#include "core/Random.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace ct {
namespace {

std::string random_from(std::string_view alphabet, size_t length) {
  std::vector<uint8_t> raw(length);
  random_bytes(raw);
  std::string out(length, ' ');
  // 64 divides 256 evenly; for 62 characters the tiny bias is irrelevant for tokens.
  for (size_t i = 0; i < length; ++i) out[i] = alphabet[raw[i] % alphabet.size()];
  return out;
}

}  // namespace

void random_bytes(std::span<uint8_t> out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), int(out.size())) != 1) throw std::runtime_error("RAND_bytes failed");
}

uint32_t random_u32() {
  uint8_t b[4];
  random_bytes(b);
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
}

uint16_t random_sequence_start() { return uint16_t(random_u32() & 0x7fff); }

std::string random_ice_string(size_t length) {
  return random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", length);
}

std::string random_token(size_t length) {
  return random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length);
}

}  // namespace ct
