#pragma once
// Text encodings of bytes: hex (fingerprints, test vectors) and base64 (TURN
// REST passwords, tokens).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ct {

std::string to_hex(std::span<const uint8_t> bytes);
// Accepts upper or lower case, ignores ':' and whitespace separators.
std::optional<std::vector<uint8_t>> from_hex(std::string_view text);
// "AB:CD:..." as SDP a=fingerprint writes it (RFC 8122 §5).
std::string to_colon_hex(std::span<const uint8_t> bytes);

std::string base64_encode(std::span<const uint8_t> bytes);
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
std::string base64url_encode(std::span<const uint8_t> bytes);  // no padding
std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text);

}  // namespace ct
