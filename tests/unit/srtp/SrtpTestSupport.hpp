#pragma once
// Shared helpers of the SRTP unit tests: packet builders and a small RAII
// wrapper over libsrtp2, the independent implementation ours must match.
#include <srtp2/srtp.h>

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/Encoding.hpp"
#include "core/Endian.hpp"
#include "srtp/SrtpProfile.hpp"

namespace ct::srtp::test {

inline std::vector<uint8_t> hex(std::string_view text) {
  auto bytes = from_hex(text);
  if (!bytes) throw std::invalid_argument("bad hex in test");
  return *bytes;
}

// Room libsrtp2 and we may append after a packet.
constexpr size_t kTrailerRoom = 64;

// An RTP packet (RFC 3550 §5.1) with `csrc_count` CSRCs, an optional one-byte
// header extension block of `extension_words` words (RFC 8285 §4.2), and a
// payload whose bytes depend on seq so packets differ.
inline std::vector<uint8_t> make_rtp(uint16_t seq, uint32_t ssrc, size_t payload_size, uint8_t csrc_count = 0,
                                     uint16_t extension_words = 0) {
  std::vector<uint8_t> p(12);
  p[0] = uint8_t(0x80 | (extension_words ? 0x10 : 0) | (csrc_count & 0x0f));
  p[1] = 96;
  store_u16(&p[2], seq);
  store_u32(&p[4], uint32_t(seq) * 3000u);
  store_u32(&p[8], ssrc);
  for (uint8_t i = 0; i < csrc_count; ++i) {
    uint8_t csrc[4];
    store_u32(csrc, 0x1000 + i);
    p.insert(p.end(), csrc, csrc + 4);
  }
  if (extension_words) {
    uint8_t ext[4] = {0xbe, 0xde, 0, 0};
    store_u16(ext + 2, extension_words);
    p.insert(p.end(), ext, ext + 4);
    for (uint16_t w = 0; w < extension_words; ++w) {
      // id 1, length 2 (3 bytes of data) per word
      const uint8_t element[4] = {0x12, uint8_t(w), uint8_t(seq), uint8_t(seq >> 8)};
      p.insert(p.end(), element, element + 4);
    }
  }
  for (size_t i = 0; i < payload_size; ++i) p.push_back(uint8_t(i * 7 + seq));
  return p;
}

// A compound RTCP packet: SR (RFC 3550 §6.4.1, no report blocks) + SDES CNAME.
inline std::vector<uint8_t> make_rtcp(uint32_t ssrc, uint32_t salt) {
  std::vector<uint8_t> p(28, 0);
  p[0] = 0x80;
  p[1] = 200;
  store_u16(&p[2], 6);
  store_u32(&p[4], ssrc);
  store_u32(&p[8], 0xdeadbeef ^ salt);
  store_u32(&p[12], salt);
  store_u32(&p[16], salt * 160);
  store_u32(&p[20], salt);
  store_u32(&p[24], salt * 100);
  const uint8_t sdes[] = {0x81, 202, 0, 3, 0, 0, 0, 0, 1, 4, 'c', 't', '0', '1', 0, 0};
  size_t at = p.size();
  p.insert(p.end(), sdes, sdes + sizeof(sdes));
  store_u32(&p[at + 4], ssrc);
  return p;
}

inline void ensure_libsrtp_initialised() {
  static const bool initialised = [] {
    if (srtp_init() != srtp_err_status_ok) throw std::runtime_error("srtp_init failed");
    return true;
  }();
  (void)initialised;
}

// One libsrtp2 session for any inbound or any outbound SSRC.
class LibSrtp {
 public:
  enum class Direction { Outbound, Inbound };

  LibSrtp(SrtpProfile profile, const std::vector<uint8_t>& key, const std::vector<uint8_t>& salt,
          Direction direction) {
    ensure_libsrtp_initialised();
    key_and_salt_ = key;
    key_and_salt_.insert(key_and_salt_.end(), salt.begin(), salt.end());
    srtp_policy_t policy{};
    if (profile == SrtpProfile::AeadAes128Gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = direction == Direction::Outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = key_and_salt_.data();
    policy.window_size = 128;
    policy.next = nullptr;
    if (srtp_create(&session_, &policy) != srtp_err_status_ok) throw std::runtime_error("srtp_create failed");
  }
  ~LibSrtp() { srtp_dealloc(session_); }
  LibSrtp(const LibSrtp&) = delete;
  LibSrtp& operator=(const LibSrtp&) = delete;

  // Each returns the libsrtp2 status; `packet` is resized to the new length.
  srtp_err_status_t protect_rtp(std::vector<uint8_t>& packet) { return run(packet, srtp_protect); }
  srtp_err_status_t unprotect_rtp(std::vector<uint8_t>& packet) { return run(packet, srtp_unprotect); }
  srtp_err_status_t protect_rtcp(std::vector<uint8_t>& packet) { return run(packet, srtp_protect_rtcp); }
  srtp_err_status_t unprotect_rtcp(std::vector<uint8_t>& packet) { return run(packet, srtp_unprotect_rtcp); }

 private:
  template <typename Fn>
  srtp_err_status_t run(std::vector<uint8_t>& packet, Fn fn) {
    int length = int(packet.size());
    packet.resize(packet.size() + kTrailerRoom);
    const srtp_err_status_t status = fn(session_, packet.data(), &length);
    packet.resize(status == srtp_err_status_ok ? size_t(length) : packet.size() - kTrailerRoom);
    return status;
  }

  srtp_t session_ = nullptr;
  std::vector<uint8_t> key_and_salt_;
};

}  // namespace ct::srtp::test

#include "srtp/SrtpSession.hpp"

namespace ct::srtp::test {

enum class Op { ProtectRtp, UnprotectRtp, ProtectRtcp, UnprotectRtcp };

// Runs one of our session's calls on `packet`, resized to the result on success.
inline SrtpResult apply(SrtpSession& session, Op op, std::vector<uint8_t>& packet) {
  const size_t length = packet.size();
  packet.resize(length + kTrailerRoom);
  SrtpResult result;
  switch (op) {
    case Op::ProtectRtp: result = session.protect_rtp(packet, length); break;
    case Op::UnprotectRtp: result = session.unprotect_rtp(packet, length); break;
    case Op::ProtectRtcp: result = session.protect_rtcp(packet, length); break;
    case Op::UnprotectRtcp: result = session.unprotect_rtcp(packet, length); break;
  }
  packet.resize(result.ok() ? result.length : length);
  return result;
}

}  // namespace ct::srtp::test
