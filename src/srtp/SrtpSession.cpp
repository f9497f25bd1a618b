#include "srtp/SrtpSession.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

#include "core/Endian.hpp"
#include "srtp/AesCounterMode.hpp"
#include "srtp/AesGcm.hpp"
#include "srtp/HmacSha1.hpp"
#include "srtp/SrtpIv.hpp"

namespace ct::srtp {

namespace {

constexpr size_t kRtpFixedHeader = 12;   // RFC 3550 §5.1
constexpr size_t kRtcpFixedHeader = 8;   // RFC 3711 §3.4: first header and SSRC stay clear
constexpr size_t kSrtcpIndexLength = 4;  // E flag and 31-bit SRTCP index
constexpr uint64_t kMaxRtpIndex = (uint64_t{1} << 48) - 1;
constexpr uint32_t kMaxSrtcpIndex = 0x7fffffff;
constexpr uint32_t kEncryptedFlag = 0x80000000;

bool known_profile(SrtpProfile profile) {
  return profile == SrtpProfile::Aes128CmHmacSha1_80 || profile == SrtpProfile::AeadAes128Gcm;
}

// Length of the RTP header including CSRCs and header extension (RFC 3550 §5.1,
// §5.3.1), or 0 if it does not fit in `length` bytes or is not version 2.
size_t rtp_header_length(const uint8_t* packet, size_t length) {
  if (length < kRtpFixedHeader || (packet[0] >> 6) != 2) return 0;
  size_t header = kRtpFixedHeader + 4 * size_t(packet[0] & 0x0f);
  if (packet[0] & 0x10) {
    if (length < header + 4) return 0;
    header += 4 + 4 * size_t(load_u16(packet + header + 2));
  }
  return header <= length ? header : 0;
}

// RFC 3711 §3.3.1 and Appendix A: the index i = 2^16 * v + SEQ, where v guesses
// the rollover counter from the highest index s_l/ROC seen so far. -1 when the
// guess is ROC - 1 with ROC 0 (a packet from before the stream began).
int64_t estimate_rtp_index(const ReplayWindow& window, uint16_t seq) {
  if (window.empty()) return seq;  // first packet: ROC 0, s_l = SEQ
  const uint64_t highest = window.highest();
  const int64_t roc = int64_t(highest >> 16);
  const uint32_t s_l = uint32_t(highest & 0xffff);
  int64_t v = roc;
  if (s_l < 32768) {
    if (seq > s_l && seq - s_l > 32768) v = roc - 1;
  } else if (s_l - 32768 > seq) {
    v = roc + 1;
  }
  if (v < 0) return -1;
  return v << 16 | seq;
}

}  // namespace

struct SrtpSession::Crypto {
  Crypto(SrtpProfile profile, const SrtpSessionKeys& rtp, const SrtpSessionKeys& rtcp, Direction direction) {
    const size_t salt_length = master_salt_length(profile);
    if (rtp.salt_length != salt_length || rtcp.salt_length != salt_length) {
      throw std::invalid_argument("SRTP session salt length does not match the profile");
    }
    if (profile == SrtpProfile::AeadAes128Gcm) {
      const auto mode = direction == Direction::Outbound ? AesGcm::Mode::Seal : AesGcm::Mode::Open;
      rtp_gcm.emplace(rtp.encryption_key, mode);
      rtcp_gcm.emplace(rtcp.encryption_key, mode);
    } else {
      rtp_ctr.emplace(rtp.encryption_key);
      rtcp_ctr.emplace(rtcp.encryption_key);
      rtp_hmac.emplace(rtp.auth_key);
      rtcp_hmac.emplace(rtcp.auth_key);
    }
    rtp_salt = rtp.salt;
    rtcp_salt = rtcp.salt;
  }
  ~Crypto() {
    OPENSSL_cleanse(rtp_salt.data(), rtp_salt.size());
    OPENSSL_cleanse(rtcp_salt.data(), rtcp_salt.size());
  }

  std::span<const uint8_t, 14> cm_salt(bool rtcp) const { return rtcp ? rtcp_salt : rtp_salt; }
  std::span<const uint8_t, 12> gcm_salt(bool rtcp) const {
    return std::span<const uint8_t, 14>(rtcp ? rtcp_salt : rtp_salt).first<12>();
  }

  // AES-CM + HMAC-SHA1-80
  std::optional<AesCounterMode> rtp_ctr, rtcp_ctr;
  std::optional<HmacSha1> rtp_hmac, rtcp_hmac;
  // AEAD_AES_128_GCM
  std::optional<AesGcm> rtp_gcm, rtcp_gcm;
  std::array<uint8_t, 14> rtp_salt{};
  std::array<uint8_t, 14> rtcp_salt{};
};

namespace {

SrtpSessionKeys derive_or_throw(SrtpProfile profile, std::span<const uint8_t> master_key,
                                std::span<const uint8_t> master_salt, SrtpKeyUse use) {
  if (!known_profile(profile)) throw std::invalid_argument("unknown SRTP profile");
  if (master_key.size() != master_key_length(profile) || master_salt.size() != master_salt_length(profile)) {
    throw std::invalid_argument("SRTP master key or salt length does not match the profile");
  }
  SrtpSessionKeys keys;
  if (!derive_session_keys(profile, master_key, master_salt, use, keys)) {
    throw std::runtime_error("SRTP key derivation failed");
  }
  return keys;
}

}  // namespace

SrtpSession::SrtpSession(SrtpProfile profile, std::span<const uint8_t> master_key,
                         std::span<const uint8_t> master_salt, Direction direction)
    : SrtpSession(profile, derive_or_throw(profile, master_key, master_salt, SrtpKeyUse::Rtp),
                  derive_or_throw(profile, master_key, master_salt, SrtpKeyUse::Rtcp), direction) {}

SrtpSession::SrtpSession(SrtpProfile profile, const SrtpSessionKeys& rtp_keys, const SrtpSessionKeys& rtcp_keys,
                         Direction direction)
    : profile_(profile), direction_(direction) {
  if (!known_profile(profile)) throw std::invalid_argument("unknown SRTP profile");
  crypto_ = std::make_unique<Crypto>(profile, rtp_keys, rtcp_keys, direction);
  streams_.reserve(8);
}

SrtpSession::~SrtpSession() = default;
SrtpSession::SrtpSession(SrtpSession&&) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&&) noexcept = default;

const SrtpSession::Stream* SrtpSession::find(uint32_t ssrc) const {
  auto it = std::lower_bound(streams_.begin(), streams_.end(), ssrc,
                             [](const Stream& s, uint32_t value) { return s.ssrc < value; });
  return it != streams_.end() && it->ssrc == ssrc ? &*it : nullptr;
}

SrtpSession::Stream* SrtpSession::find(uint32_t ssrc) {
  return const_cast<Stream*>(std::as_const(*this).find(ssrc));
}

SrtpSession::Stream* SrtpSession::insert(uint32_t ssrc, const Stream& initial) {
  if (streams_.size() >= kMaxStreams) return nullptr;
  auto it = std::lower_bound(streams_.begin(), streams_.end(), ssrc,
                             [](const Stream& s, uint32_t value) { return s.ssrc < value; });
  it = streams_.insert(it, initial);
  it->ssrc = ssrc;
  return &*it;
}

bool SrtpSession::remove_stream(uint32_t ssrc) {
  const Stream* stream = find(ssrc);
  if (!stream) return false;
  streams_.erase(streams_.begin() + (stream - streams_.data()));
  return true;
}

std::optional<uint32_t> SrtpSession::rollover_counter(uint32_t ssrc) const {
  const Stream* stream = find(ssrc);
  if (!stream || stream->rtp.empty()) return std::nullopt;
  return uint32_t(stream->rtp.highest() >> 16);
}

// RFC 3711 §3.3 (sender side) and RFC 7714 §8.
SrtpResult SrtpSession::protect_rtp(std::span<uint8_t> buffer, size_t length) {
  if (direction_ != Direction::Outbound) return SrtpResult::failure(SrtpError::WrongDirection);
  if (length > buffer.size()) return SrtpResult::failure(SrtpError::BufferTooSmall);
  if (length < kRtpFixedHeader) return SrtpResult::failure(SrtpError::TooShort);
  uint8_t* packet = buffer.data();
  const size_t header = rtp_header_length(packet, length);
  if (header == 0) return SrtpResult::failure(SrtpError::Malformed);
  const size_t tag_length = auth_tag_length(profile_);
  if (buffer.size() - length < tag_length) return SrtpResult::failure(SrtpError::BufferTooSmall);

  const uint32_t ssrc = load_u32(packet + 8);
  Stream* stream = find(ssrc);
  if (!stream && !(stream = insert(ssrc, Stream{}))) return SrtpResult::failure(SrtpError::TooManyStreams);
  // The sender tracks the ROC the same way a receiver would, so a
  // retransmission of an older sequence number keeps the ROC it was sent with.
  const int64_t estimated = estimate_rtp_index(stream->rtp, load_u16(packet + 2));
  // Negative: more than 2^15 before the first packet ever sent, no ROC fits.
  if (estimated < 0) return SrtpResult::failure(SrtpError::Malformed);
  const uint64_t index = uint64_t(estimated);
  if (index > kMaxRtpIndex) return SrtpResult::failure(SrtpError::KeyExhausted);

  std::span<uint8_t> payload(packet + header, length - header);
  if (profile_ == SrtpProfile::AeadAes128Gcm) {
    // RFC 7714 §8.2: AAD is the whole header, CSRCs and extension included.
    const auto iv = aes_gcm_iv(crypto_->gcm_salt(false), ssrc, index);
    if (!crypto_->rtp_gcm->seal(iv, {packet, header}, {}, payload,
                                std::span<uint8_t, AesGcm::kTagLength>(packet + length, AesGcm::kTagLength))) {
      return SrtpResult::failure(SrtpError::CryptoFailure);
    }
  } else {
    // §4.1.1 encryption, then §4.2 authentication over header || payload || ROC.
    const auto iv = aes_cm_iv(crypto_->cm_salt(false), ssrc, index);
    if (!crypto_->rtp_ctr->apply(iv, payload)) return SrtpResult::failure(SrtpError::CryptoFailure);
    uint8_t roc[4];
    store_u32(roc, uint32_t(index >> 16));
    std::array<uint8_t, HmacSha1::kDigestLength> digest;
    crypto_->rtp_hmac->compute({packet, length}, roc, digest);
    std::copy_n(digest.begin(), tag_length, packet + length);
  }
  stream->rtp.accept(index);
  return SrtpResult::success(length + tag_length);
}

// RFC 3711 §3.3 (receiver side) and RFC 7714 §8.
SrtpResult SrtpSession::unprotect_rtp(std::span<uint8_t> buffer, size_t length) {
  if (direction_ != Direction::Inbound) return SrtpResult::failure(SrtpError::WrongDirection);
  if (length > buffer.size()) return SrtpResult::failure(SrtpError::BufferTooSmall);
  const size_t tag_length = auth_tag_length(profile_);
  if (length < kRtpFixedHeader + tag_length) return SrtpResult::failure(SrtpError::TooShort);
  uint8_t* packet = buffer.data();
  const size_t body_length = length - tag_length;
  const size_t header = rtp_header_length(packet, body_length);
  if (header == 0) return SrtpResult::failure(SrtpError::Malformed);

  const uint32_t ssrc = load_u32(packet + 8);
  Stream* stream = find(ssrc);
  if (!stream && streams_.size() >= kMaxStreams) return SrtpResult::failure(SrtpError::TooManyStreams);
  // A new SSRC is judged against empty state and enters the table only once
  // its packet authenticates, so forged packets cannot fill the table.
  Stream fresh;
  const ReplayWindow& window = stream ? stream->rtp : fresh.rtp;
  const int64_t estimated = estimate_rtp_index(window, load_u16(packet + 2));
  if (estimated < 0) return SrtpResult::failure(SrtpError::Replayed);
  const uint64_t index = uint64_t(estimated);
  if (index > kMaxRtpIndex) return SrtpResult::failure(SrtpError::KeyExhausted);
  // §3.3.2: drop replays before spending time on crypto.
  if (!window.is_fresh(index)) return SrtpResult::failure(SrtpError::Replayed);

  std::span<uint8_t> payload(packet + header, body_length - header);
  const uint8_t* tag = packet + body_length;
  if (profile_ == SrtpProfile::AeadAes128Gcm) {
    const auto iv = aes_gcm_iv(crypto_->gcm_salt(false), ssrc, index);
    if (!crypto_->rtp_gcm->open(iv, {packet, header}, {}, payload,
                                std::span<const uint8_t, AesGcm::kTagLength>(tag, AesGcm::kTagLength))) {
      return SrtpResult::failure(SrtpError::AuthFailed);
    }
  } else {
    uint8_t roc[4];
    store_u32(roc, uint32_t(index >> 16));
    std::array<uint8_t, HmacSha1::kDigestLength> digest;
    crypto_->rtp_hmac->compute({packet, body_length}, roc, digest);
    if (CRYPTO_memcmp(digest.data(), tag, tag_length) != 0) return SrtpResult::failure(SrtpError::AuthFailed);
    const auto iv = aes_cm_iv(crypto_->cm_salt(false), ssrc, index);
    if (!crypto_->rtp_ctr->apply(iv, payload)) return SrtpResult::failure(SrtpError::CryptoFailure);
  }
  if (!stream && !(stream = insert(ssrc, fresh))) return SrtpResult::failure(SrtpError::TooManyStreams);
  stream->rtp.accept(index);
  return SrtpResult::success(body_length);
}

// RFC 3711 §3.4 and RFC 7714 §9: the first 8 bytes stay clear, the rest of the
// compound is encrypted, E||index follows (CM) or follows the tag (GCM).
SrtpResult SrtpSession::protect_rtcp(std::span<uint8_t> buffer, size_t length) {
  if (direction_ != Direction::Outbound) return SrtpResult::failure(SrtpError::WrongDirection);
  if (length > buffer.size()) return SrtpResult::failure(SrtpError::BufferTooSmall);
  if (length < kRtcpFixedHeader) return SrtpResult::failure(SrtpError::TooShort);
  uint8_t* packet = buffer.data();
  if ((packet[0] >> 6) != 2) return SrtpResult::failure(SrtpError::Malformed);
  const size_t overhead = rtcp_overhead(profile_);
  if (buffer.size() - length < overhead) return SrtpResult::failure(SrtpError::BufferTooSmall);

  const uint32_t ssrc = load_u32(packet + 4);
  Stream* stream = find(ssrc);
  if (!stream && !(stream = insert(ssrc, Stream{}))) return SrtpResult::failure(SrtpError::TooManyStreams);
  const uint32_t index = stream->rtcp_next_index;
  // §3.4: the 31-bit index must not wrap under one master key.
  if (index > kMaxSrtcpIndex) return SrtpResult::failure(SrtpError::KeyExhausted);
  uint8_t e_index[kSrtcpIndexLength];
  store_u32(e_index, kEncryptedFlag | index);

  std::span<uint8_t> body(packet + kRtcpFixedHeader, length - kRtcpFixedHeader);
  if (profile_ == SrtpProfile::AeadAes128Gcm) {
    // RFC 7714 §9.2: AAD = first 8 bytes || E||index; the tag precedes E||index.
    const auto iv = aes_gcm_iv(crypto_->gcm_salt(true), ssrc, index);
    if (!crypto_->rtcp_gcm->seal(iv, {packet, kRtcpFixedHeader}, e_index, body,
                                 std::span<uint8_t, AesGcm::kTagLength>(packet + length, AesGcm::kTagLength))) {
      return SrtpResult::failure(SrtpError::CryptoFailure);
    }
    std::copy_n(e_index, kSrtcpIndexLength, packet + length + AesGcm::kTagLength);
  } else {
    const auto iv = aes_cm_iv(crypto_->cm_salt(true), ssrc, index);
    if (!crypto_->rtcp_ctr->apply(iv, body)) return SrtpResult::failure(SrtpError::CryptoFailure);
    std::copy_n(e_index, kSrtcpIndexLength, packet + length);
    // §3.4: the tag covers the header, the encrypted part and E||index.
    std::array<uint8_t, HmacSha1::kDigestLength> digest;
    crypto_->rtcp_hmac->compute({packet, length + kSrtcpIndexLength}, {}, digest);
    std::copy_n(digest.begin(), overhead - kSrtcpIndexLength, packet + length + kSrtcpIndexLength);
  }
  stream->rtcp_next_index = index + 1;
  return SrtpResult::success(length + overhead);
}

SrtpResult SrtpSession::unprotect_rtcp(std::span<uint8_t> buffer, size_t length) {
  if (direction_ != Direction::Inbound) return SrtpResult::failure(SrtpError::WrongDirection);
  if (length > buffer.size()) return SrtpResult::failure(SrtpError::BufferTooSmall);
  const size_t overhead = rtcp_overhead(profile_);
  const size_t tag_length = overhead - kSrtcpIndexLength;
  if (length < kRtcpFixedHeader + overhead) return SrtpResult::failure(SrtpError::TooShort);
  uint8_t* packet = buffer.data();
  if ((packet[0] >> 6) != 2) return SrtpResult::failure(SrtpError::Malformed);

  const bool gcm = profile_ == SrtpProfile::AeadAes128Gcm;
  const size_t body_end = length - overhead;
  // CM: ... || E||index || tag.  GCM: ... || tag || E||index.
  const uint8_t* e_index = gcm ? packet + length - kSrtcpIndexLength : packet + body_end;
  const uint8_t* tag = gcm ? packet + body_end : packet + length - tag_length;
  const uint32_t e_index_value = load_u32(e_index);
  const bool encrypted = (e_index_value & kEncryptedFlag) != 0;
  const uint32_t index = e_index_value & kMaxSrtcpIndex;

  const uint32_t ssrc = load_u32(packet + 4);
  Stream* stream = find(ssrc);
  if (!stream && streams_.size() >= kMaxStreams) return SrtpResult::failure(SrtpError::TooManyStreams);
  Stream fresh;
  const ReplayWindow& window = stream ? stream->rtcp : fresh.rtcp;
  if (!window.is_fresh(index)) return SrtpResult::failure(SrtpError::Replayed);

  std::span<uint8_t> body(packet + kRtcpFixedHeader, body_end - kRtcpFixedHeader);
  if (gcm) {
    const auto iv = aes_gcm_iv(crypto_->gcm_salt(true), ssrc, index);
    const std::span<const uint8_t, AesGcm::kTagLength> tag_span(tag, AesGcm::kTagLength);
    const std::span<const uint8_t> e_index_span(e_index, kSrtcpIndexLength);
    // RFC 7714 §9.2/§9.3: with E = 0 the whole packet is AAD and nothing is encrypted.
    const bool opened = encrypted
                            ? crypto_->rtcp_gcm->open(iv, {packet, kRtcpFixedHeader}, e_index_span, body, tag_span)
                            : crypto_->rtcp_gcm->open(iv, {packet, body_end}, e_index_span, {}, tag_span);
    if (!opened) return SrtpResult::failure(SrtpError::AuthFailed);
  } else {
    std::array<uint8_t, HmacSha1::kDigestLength> digest;
    crypto_->rtcp_hmac->compute({packet, length - tag_length}, {}, digest);
    if (CRYPTO_memcmp(digest.data(), tag, tag_length) != 0) return SrtpResult::failure(SrtpError::AuthFailed);
    if (encrypted) {
      const auto iv = aes_cm_iv(crypto_->cm_salt(true), ssrc, index);
      if (!crypto_->rtcp_ctr->apply(iv, body)) return SrtpResult::failure(SrtpError::CryptoFailure);
    }
  }
  if (!stream && !(stream = insert(ssrc, fresh))) return SrtpResult::failure(SrtpError::TooManyStreams);
  stream->rtcp.accept(index);
  return SrtpResult::success(body_end);
}

}  // namespace ct::srtp
