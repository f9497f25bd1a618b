#pragma once
// One direction of SRTP/SRTCP (RFC 3711; AEAD_AES_128_GCM per RFC 7714) for
// every SSRC that uses one master key: either the context we protect our
// outgoing packets with, or the one we unprotect the remote's packets with.
//
// All calls work in place on a caller-owned buffer and never throw: they return
// an SrtpResult whose length is the new packet length. Per-SSRC state (rollover
// counter, replay windows, SRTCP index) lives in a flat table sorted by SSRC;
// memory is allocated only when a new SSRC appears, never per packet.
// Header extensions stay in the clear (no RFC 6904 header encryption); MKI is
// not used (DTLS-SRTP never sends one). Not thread-safe: a session belongs to
// the media worker thread of its peer (DESIGN.md §2).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "srtp/ReplayWindow.hpp"
#include "srtp/SrtpKeyDerivation.hpp"
#include "srtp/SrtpProfile.hpp"
#include "srtp/SrtpResult.hpp"

namespace ct::srtp {

class SrtpSession {
 public:
  enum class Direction { Outbound, Inbound };

  // Bound on the SSRC table so a peer cannot grow it without limit.
  static constexpr size_t kMaxStreams = 4096;

  // Derives the session keys from the master key and salt (RFC 3711 §4.3).
  // Throws std::invalid_argument on key or salt lengths that do not match the
  // profile, std::runtime_error if OpenSSL cannot set up a cipher.
  SrtpSession(SrtpProfile profile, std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt,
              Direction direction);
  // Uses already derived session keys (test vectors are given this way).
  SrtpSession(SrtpProfile profile, const SrtpSessionKeys& rtp_keys, const SrtpSessionKeys& rtcp_keys,
              Direction direction);
  ~SrtpSession();
  SrtpSession(SrtpSession&&) noexcept;
  SrtpSession& operator=(SrtpSession&&) noexcept;

  // `buffer` holds the packet in its first `length` bytes. Protect needs
  // rtp_overhead()/rtcp_overhead() more bytes of room after the packet and
  // returns the protected length; unprotect returns the plain length. On any
  // error the packet must be dropped: its bytes may be partly transformed.
  SrtpResult protect_rtp(std::span<uint8_t> buffer, size_t length);
  SrtpResult unprotect_rtp(std::span<uint8_t> buffer, size_t length);
  SrtpResult protect_rtcp(std::span<uint8_t> buffer, size_t length);
  SrtpResult unprotect_rtcp(std::span<uint8_t> buffer, size_t length);

  SrtpProfile profile() const { return profile_; }
  Direction direction() const { return direction_; }

  size_t stream_count() const { return streams_.size(); }
  // Forgets an SSRC (its track ended). False if it was not known.
  bool remove_stream(uint32_t ssrc);
  // The RTP rollover counter of `ssrc`, once a packet of it has been processed.
  std::optional<uint32_t> rollover_counter(uint32_t ssrc) const;

 private:
  struct Stream {
    uint32_t ssrc = 0;
    ReplayWindow rtp;              // highest RTP index; inbound also its replay bits
    ReplayWindow rtcp;             // inbound SRTCP replay
    uint32_t rtcp_next_index = 0;  // outbound SRTCP index (RFC 3711 §3.4: starts at 0)
  };
  struct Crypto;  // OpenSSL contexts and session salts

  const Stream* find(uint32_t ssrc) const;
  Stream* find(uint32_t ssrc);
  Stream* insert(uint32_t ssrc, const Stream& initial);  // nullptr when the table is full

  SrtpProfile profile_;
  Direction direction_;
  std::unique_ptr<Crypto> crypto_;
  std::vector<Stream> streams_;  // sorted by ssrc
};

}  // namespace ct::srtp
