#pragma once
// The SRTP protection profiles CipherTalk negotiates in DTLS-SRTP (RFC 5764 §4.1.2),
// with the sizes each one fixes.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ct::srtp {

// Values are the IANA DTLS-SRTP protection profile ids.
enum class SrtpProfile : uint16_t {
  Aes128CmHmacSha1_80 = 0x0001,  // RFC 3711 default transforms, 80-bit HMAC-SHA1 tag
  AeadAes128Gcm = 0x0007,        // RFC 7714
};

size_t master_key_length(SrtpProfile profile);   // 16 for both
size_t master_salt_length(SrtpProfile profile);  // 14 (CM), 12 (GCM, RFC 7714 §12)
size_t auth_tag_length(SrtpProfile profile);     // 10 (HMAC-SHA1-80), 16 (GCM)
// Bytes protect_rtp adds after the packet: the tag.
size_t rtp_overhead(SrtpProfile profile);
// Bytes protect_rtcp adds after the packet: the 4-byte E||SRTCP index and the tag.
size_t rtcp_overhead(SrtpProfile profile);
std::string_view to_string(SrtpProfile profile);

}  // namespace ct::srtp
