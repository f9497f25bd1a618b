#include "webrtc/SrtpEndpoint.hpp"

#include <optional>

#include "dtls/DtlsTransport.hpp"
#include "srtp/SrtpSession.hpp"

namespace ct::webrtc {

struct SrtpEndpoint::Sessions {
  std::optional<srtp::SrtpSession> in, out;
  std::optional<srtp::SrtpProfile> profile;
};

SrtpEndpoint::SrtpEndpoint() : sessions_(std::make_unique<Sessions>()) {}
SrtpEndpoint::~SrtpEndpoint() = default;

bool SrtpEndpoint::start(const dtls::KeyingMaterial& keys) {
  auto profile = srtp::SrtpProfile(keys.srtp_profile);
  if (profile != srtp::SrtpProfile::AeadAes128Gcm && profile != srtp::SrtpProfile::Aes128CmHmacSha1_80) return false;
  // KeyingMaterial already splits the client and server keys into ours and theirs.
  auto& s = *sessions_;
  s.profile = profile;
  s.out.emplace(profile, keys.local_key, keys.local_salt, srtp::SrtpSession::Direction::Outbound);
  s.in.emplace(profile, keys.remote_key, keys.remote_salt, srtp::SrtpSession::Direction::Inbound);
  return true;
}

bool SrtpEndpoint::ready() const { return sessions_->out.has_value(); }

std::string SrtpEndpoint::profile_name() const {
  return sessions_->profile ? std::string(srtp::to_string(*sessions_->profile)) : std::string();
}

namespace {

// One SRTP operation in place: the resulting bytes, or an empty span and a
// counted error (also when the session is not keyed yet).
template <class Op>
std::span<uint8_t> apply(std::optional<srtp::SrtpSession>& session, Op op, std::span<uint8_t> buffer,
                         SrtpCounters& counters) {
  srtp::SrtpResult r = session ? op(*session) : srtp::SrtpResult::failure(srtp::SrtpError::CryptoFailure);
  if (!r) {
    ++counters.srtp_errors;
    return {};
  }
  return buffer.first(r.length);
}

}  // namespace

std::span<const uint8_t> SrtpEndpoint::protect_rtp(std::span<uint8_t> buffer, size_t length,
                                                   SrtpCounters& counters) {
  auto out = apply(sessions_->out, [&](srtp::SrtpSession& s) { return s.protect_rtp(buffer, length); }, buffer,
                   counters);
  if (!out.empty()) {
    ++counters.rtp_packets_out;
    counters.rtp_bytes_out += length;
  }
  return out;
}

std::span<const uint8_t> SrtpEndpoint::protect_rtcp(std::span<uint8_t> buffer, size_t length,
                                                    SrtpCounters& counters) {
  auto out = apply(sessions_->out, [&](srtp::SrtpSession& s) { return s.protect_rtcp(buffer, length); }, buffer,
                   counters);
  if (!out.empty()) ++counters.rtcp_packets_out;
  return out;
}

std::span<uint8_t> SrtpEndpoint::unprotect_rtp(std::span<uint8_t> room, size_t length, SrtpCounters& counters) {
  return apply(sessions_->in, [&](srtp::SrtpSession& s) { return s.unprotect_rtp(room, length); }, room, counters);
}

std::span<uint8_t> SrtpEndpoint::unprotect_rtcp(std::span<uint8_t> room, size_t length, SrtpCounters& counters) {
  return apply(sessions_->in, [&](srtp::SrtpSession& s) { return s.unprotect_rtcp(room, length); }, room, counters);
}

}  // namespace ct::webrtc
