#pragma once
// Cryptographically strong randomness (OpenSSL's DRBG) for ICE credentials,
// SSRCs, transaction ids and nonces.
#include <cstdint>
#include <span>
#include <string>

namespace ct {

void random_bytes(std::span<uint8_t> out);
uint32_t random_u32();
// A stream's first RTP sequence number: random (RFC 3550 §5.1) but below
// 2^15, so the first 32768 packets cannot wrap. A receiver that misses the
// packets before a wrap would otherwise guess the SRTP rollover counter as 0
// and fail to authenticate the stream for good (RFC 3711 §3.3.1).
uint16_t random_sequence_start();
// A string of `length` characters from the ICE alphabet (RFC 8839 §5.4: ALPHA / DIGIT / "+" / "/").
std::string random_ice_string(size_t length);
// A string of `length` characters from [A-Za-z0-9], safe in URLs and file names.
std::string random_token(size_t length);

}  // namespace ct
