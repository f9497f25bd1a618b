#pragma once
// Cryptographically strong randomness (OpenSSL's DRBG) for ICE credentials,
// SSRCs, transaction ids and nonces.
#include <cstdint>
#include <span>
#include <string>

namespace ct {

void random_bytes(std::span<uint8_t> out);
uint32_t random_u32();
// A string of `length` characters from the ICE alphabet (RFC 8839 §5.4: ALPHA / DIGIT / "+" / "/").
std::string random_ice_string(size_t length);
// A string of `length` characters from [A-Za-z0-9], safe in URLs and file names.
std::string random_token(size_t length);

}  // namespace ct
