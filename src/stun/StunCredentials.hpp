#pragma once
// Keys for MESSAGE-INTEGRITY (RFC 8489 §9.1.1 short-term, §9.2.2 long-term).
// Strings are used as given: CipherTalk's usernames, realms and passwords are
// ASCII, for which OpaqueString preparation (RFC 8265) changes nothing.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace ct::stun {

// Short-term credentials (ICE): the key is the password's bytes. The span views `password`.
inline std::span<const uint8_t> short_term_key(std::string_view password) {
  return {reinterpret_cast<const uint8_t*>(password.data()), password.size()};
}

// Long-term credentials: MD5(username ":" realm ":" password), the key of
// MESSAGE-INTEGRITY and of MESSAGE-INTEGRITY-SHA256 with PASSWORD-ALGORITHM MD5.
std::array<uint8_t, 16> long_term_key(std::string_view username, std::string_view realm,
                                      std::string_view password);

// Long-term key under PASSWORD-ALGORITHM SHA-256 (RFC 8489 §18.5.1.2).
std::array<uint8_t, 32> long_term_key_sha256(std::string_view username, std::string_view realm,
                                             std::string_view password);

}  // namespace ct::stun
