#pragma once
// Outcome of an SRTP protect/unprotect call. C++20 has no std::expected, so a
// result is a length plus an error code; the length is meaningful only when ok().
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ct::srtp {

enum class SrtpError : uint8_t {
  None = 0,
  TooShort,        // fewer bytes than the smallest packet of this kind
  Malformed,       // header fields do not fit the packet (version, CSRC count, extension)
  BufferTooSmall,  // protect: no room after the packet for the overhead; or length > buffer
  AuthFailed,      // tag mismatch: forged, corrupted or keyed differently
  Replayed,        // index seen before or older than the replay window (RFC 3711 §3.3.2)
  TooManyStreams,  // SSRC table full; see SrtpSession::kMaxStreams
  KeyExhausted,    // index space of this master key used up (RFC 3711 §9.2): rekey
  WrongDirection,  // protect on an inbound session, or unprotect on an outbound one
  CryptoFailure,   // OpenSSL reported an error
};

constexpr std::string_view to_string(SrtpError error) {
  switch (error) {
    case SrtpError::None: return "none";
    case SrtpError::TooShort: return "too short";
    case SrtpError::Malformed: return "malformed";
    case SrtpError::BufferTooSmall: return "buffer too small";
    case SrtpError::AuthFailed: return "authentication failed";
    case SrtpError::Replayed: return "replayed";
    case SrtpError::TooManyStreams: return "too many streams";
    case SrtpError::KeyExhausted: return "key exhausted";
    case SrtpError::WrongDirection: return "wrong direction";
    case SrtpError::CryptoFailure: return "crypto failure";
  }
  return "unknown";
}

struct SrtpResult {
  size_t length = 0;  // new packet length when ok()
  SrtpError error = SrtpError::None;

  static constexpr SrtpResult success(size_t new_length) { return {new_length, SrtpError::None}; }
  static constexpr SrtpResult failure(SrtpError e) { return {0, e}; }
  constexpr bool ok() const { return error == SrtpError::None; }
  constexpr explicit operator bool() const { return ok(); }
};

}  // namespace ct::srtp
