#pragma once
// The SRTP half of a WebRTC transport: both directions keyed from the DTLS
// exporter (RFC 5764 §4.2), protect and unprotect in place, and the counts
// every transport reports. Shared by the server's PeerTransport and the load
// client's ClientPeerTransport.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace ct::dtls {
struct KeyingMaterial;
}

namespace ct::webrtc {

// Counters a transport's Stats inherit, so both kinds report the same names.
struct SrtpCounters {
  uint64_t rtp_packets_out = 0, rtp_bytes_out = 0, rtcp_packets_out = 0;
  uint64_t srtp_errors = 0;  // failed authentication, replays, malformed
};

class SrtpEndpoint {
 public:
  SrtpEndpoint();
  ~SrtpEndpoint();
  SrtpEndpoint(const SrtpEndpoint&) = delete;
  SrtpEndpoint& operator=(const SrtpEndpoint&) = delete;

  // Keys both directions. False, and nothing keyed, if DTLS settled on a
  // profile we never offer (AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80).
  bool start(const dtls::KeyingMaterial& keys);
  bool ready() const;
  std::string profile_name() const;  // empty before start()

  // Protect in place (the buffer needs the SRTP overhead of room after
  // `length`) and count into `counters`; the protected bytes, or an empty
  // span on failure (counted as an SRTP error).
  std::span<const uint8_t> protect_rtp(std::span<uint8_t> buffer, size_t length, SrtpCounters& counters);
  std::span<const uint8_t> protect_rtcp(std::span<uint8_t> buffer, size_t length, SrtpCounters& counters);
  // Unprotect `length` bytes in place; the plain bytes, or an empty span on
  // failure (counted as an SRTP error).
  std::span<uint8_t> unprotect_rtp(std::span<uint8_t> room, size_t length, SrtpCounters& counters);
  std::span<uint8_t> unprotect_rtcp(std::span<uint8_t> room, size_t length, SrtpCounters& counters);

 private:
  struct Sessions;
  std::unique_ptr<Sessions> sessions_;
};

}  // namespace ct::webrtc
