#pragma once
// RFC 5769 sample messages, transcribed from the RFC's hex dumps.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/Encoding.hpp"

namespace ct::stun::test {

// §2.1 Sample Request: SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME "evtj:h6vY",
// MESSAGE-INTEGRITY, FINGERPRINT. Padding bytes are spaces.
inline constexpr std::string_view kRfc5769Request =
    "000100582112a442b7e7a701bc34d686fa87dfae"
    "80220010"
    "5354554e207465737420636c69656e74"
    "00240004"
    "6e0001ff"
    "80290008"
    "932ff9b151263b36"
    "00060009"
    "6576746a3a68367659202020"
    "00080014"
    "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
    "80280004"
    "e57a3bcf";

// §2.2 Sample IPv4 Response: SOFTWARE "test vector", XOR-MAPPED-ADDRESS
// 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT.
inline constexpr std::string_view kRfc5769Ipv4Response =
    "0101003c2112a442b7e7a701bc34d686fa87dfae"
    "8022000b"
    "7465737420766563746f7220"
    "00200008"
    "0001a147e112a643"
    "00080014"
    "2b91f599fd9e90c38c7489f92af9ba53f06be7d7"
    "80280004"
    "c07d4c96";

// §2.3 Sample IPv6 Response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853.
inline constexpr std::string_view kRfc5769Ipv6Response =
    "010100482112a442b7e7a701bc34d686fa87dfae"
    "8022000b"
    "7465737420766563746f7220"
    "00200014"
    "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
    "00080014"
    "a382954e4be67bf11784c97c8292c275bfe3ed41"
    "80280004"
    "c8fb0b4c";

// §2.4 Sample Request with Long-Term Authentication: USERNAME (katakana
// "matrix" in UTF-8), NONCE, REALM "example.org", MESSAGE-INTEGRITY. No FINGERPRINT.
inline constexpr std::string_view kRfc5769LongTermRequest =
    "000100602112a44278ad3433c6ad72c029da412e"
    "00060012"
    "e3839ee38388e383aae38383e382afe382b90000"
    "0015001c"
    "662f2f3439396b39353464364f4c33346f4c39465354767936347341"
    "0014000b"
    "6578616d706c652e6f726700"
    "00080014"
    "f67024656dd64a3e02b8e0712e85c9a28ca89666";

inline constexpr std::string_view kRfc5769ShortTermPassword = "VOkJxbRl1RmTxUk/WvJxBt";
inline constexpr std::string_view kRfc5769LongTermUsername =
    "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
// The RFC's password "The<U+00AD>M<U+00AA>tr<U+2168>" after SASLprep.
inline constexpr std::string_view kRfc5769LongTermPassword = "TheMatrIX";
inline constexpr std::string_view kRfc5769Realm = "example.org";
inline constexpr std::string_view kRfc5769Nonce = "f//499k954d6OL34oL9FSTvy64sA";

inline std::vector<uint8_t> bytes_of(std::string_view hex) { return *ct::from_hex(hex); }

}  // namespace ct::stun::test
