// SRTP protect/unprotect cost of an 1100-byte RTP packet (12-byte header, 1088
// bytes of payload), ours next to libsrtp2, for both profiles. Also the two
// ways of running HMAC-SHA1 from a precomputed key state, which decided how
// HmacSha1 is built.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <srtp2/srtp.h>

#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/Endian.hpp"
#include "srtp/HmacSha1.hpp"
#include "srtp/SrtpSession.hpp"

namespace {

using ct::srtp::SrtpProfile;
using ct::srtp::SrtpSession;

constexpr size_t kPayload = 1088;
constexpr size_t kPacket = 12 + kPayload;
constexpr size_t kRoom = 64;
// Unprotect needs a fresh index per packet: a ring of pre-protected packets,
// and a new receiving context each time the ring starts over.
constexpr size_t kRing = 8192;

const std::array<uint8_t, 16> kKey = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
                                      0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39};
const std::array<uint8_t, 14> kSalt = {0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe,
                                       0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};

std::span<const uint8_t> salt_for(SrtpProfile profile) {
  return std::span<const uint8_t>(kSalt).first(ct::srtp::master_salt_length(profile));
}

std::vector<uint8_t> rtp_packet(uint16_t seq) {
  std::vector<uint8_t> p(kPacket + kRoom, 0xab);
  p[0] = 0x80;
  p[1] = 96;
  ct::store_u16(&p[2], seq);
  ct::store_u32(&p[4], 123456);
  ct::store_u32(&p[8], 0x11223344);
  return p;
}

class Libsrtp {
 public:
  Libsrtp(SrtpProfile profile, bool outbound) {
    static const bool initialised = srtp_init() == srtp_err_status_ok;
    if (!initialised) throw std::runtime_error("srtp_init");
    const auto salt = salt_for(profile);
    key_.assign(kKey.begin(), kKey.end());
    key_.insert(key_.end(), salt.begin(), salt.end());
    srtp_policy_t policy{};
    if (profile == SrtpProfile::AeadAes128Gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = key_.data();
    policy.window_size = 128;
    if (srtp_create(&session_, &policy) != srtp_err_status_ok) throw std::runtime_error("srtp_create");
  }
  ~Libsrtp() { srtp_dealloc(session_); }
  Libsrtp(const Libsrtp&) = delete;
  Libsrtp& operator=(const Libsrtp&) = delete;
  srtp_t get() const { return session_; }

 private:
  srtp_t session_ = nullptr;
  std::vector<uint8_t> key_;
};

void BM_ProtectOurs(benchmark::State& state, SrtpProfile profile) {
  SrtpSession sender(profile, kKey, salt_for(profile), SrtpSession::Direction::Outbound);
  const auto plain = rtp_packet(0);
  std::vector<uint8_t> buffer(plain.size());
  uint16_t seq = 0;
  for (auto _ : state) {
    std::memcpy(buffer.data(), plain.data(), kPacket);
    ct::store_u16(&buffer[2], seq++);
    auto result = sender.protect_rtp(buffer, kPacket);
    if (!result) state.SkipWithError("protect failed");
    benchmark::DoNotOptimize(result);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kPacket));
}

void BM_ProtectLibsrtp(benchmark::State& state, SrtpProfile profile) {
  Libsrtp sender(profile, true);
  const auto plain = rtp_packet(0);
  std::vector<uint8_t> buffer(plain.size());
  uint16_t seq = 0;
  for (auto _ : state) {
    std::memcpy(buffer.data(), plain.data(), kPacket);
    ct::store_u16(&buffer[2], seq++);
    int length = int(kPacket);
    if (srtp_protect(sender.get(), buffer.data(), &length) != srtp_err_status_ok) {
      state.SkipWithError("srtp_protect failed");
    }
    benchmark::DoNotOptimize(length);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kPacket));
}

// Packets protected once, with sequence numbers 0..kRing-1, and their length.
std::pair<std::vector<std::vector<uint8_t>>, size_t> protected_ring(SrtpProfile profile) {
  SrtpSession sender(profile, kKey, salt_for(profile), SrtpSession::Direction::Outbound);
  std::vector<std::vector<uint8_t>> ring;
  size_t length = 0;
  for (size_t i = 0; i < kRing; ++i) {
    auto p = rtp_packet(uint16_t(i));
    length = sender.protect_rtp(p, kPacket).length;
    ring.push_back(std::move(p));
  }
  return {std::move(ring), length};
}

void BM_UnprotectOurs(benchmark::State& state, SrtpProfile profile) {
  const auto [ring, length] = protected_ring(profile);
  auto receiver = std::make_unique<SrtpSession>(profile, kKey, salt_for(profile), SrtpSession::Direction::Inbound);
  std::vector<uint8_t> buffer(length);
  size_t next = 0;
  for (auto _ : state) {
    if (next == kRing) {
      state.PauseTiming();
      receiver = std::make_unique<SrtpSession>(profile, kKey, salt_for(profile), SrtpSession::Direction::Inbound);
      next = 0;
      state.ResumeTiming();
    }
    std::memcpy(buffer.data(), ring[next++].data(), length);
    auto result = receiver->unprotect_rtp(buffer, length);
    if (!result) state.SkipWithError("unprotect failed");
    benchmark::DoNotOptimize(result);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kPacket));
}

void BM_UnprotectLibsrtp(benchmark::State& state, SrtpProfile profile) {
  const auto [ring, length] = protected_ring(profile);
  auto receiver = std::make_unique<Libsrtp>(profile, false);
  std::vector<uint8_t> buffer(length);
  size_t next = 0;
  for (auto _ : state) {
    if (next == kRing) {
      state.PauseTiming();
      receiver = std::make_unique<Libsrtp>(profile, false);
      next = 0;
      state.ResumeTiming();
    }
    std::memcpy(buffer.data(), ring[next++].data(), length);
    int out_length = int(length);
    if (srtp_unprotect(receiver->get(), buffer.data(), &out_length) != srtp_err_status_ok) {
      state.SkipWithError("srtp_unprotect failed");
    }
    benchmark::DoNotOptimize(out_length);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kPacket));
}

// HMAC-SHA1 of one packet from precomputed ipad/opad state: the low-level
// SHA_CTX copy that HmacSha1 uses ...
void BM_HmacSha1(benchmark::State& state) {
  const ct::srtp::HmacSha1 hmac{std::span<const uint8_t>(kKey)};
  const auto packet = rtp_packet(0);
  const uint8_t roc[4] = {};
  std::array<uint8_t, 20> digest;
  for (auto _ : state) {
    hmac.compute(std::span(packet).first(kPacket), roc, digest);
    benchmark::DoNotOptimize(digest);
  }
}

// ... against OpenSSL 3's HMAC with the key kept in the context (HMAC_Init_ex
// with a null key copies the keyed EVP_MD_CTX states with EVP_MD_CTX_copy_ex).
void BM_HmacSha1EvpCopy(benchmark::State& state) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> inner(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> outer(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> work(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::array<uint8_t, 64> ipad{}, opad{};
  for (size_t i = 0; i < 64; ++i) {
    const uint8_t k = i < kKey.size() ? kKey[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  EVP_DigestInit_ex(inner.get(), EVP_sha1(), nullptr);
  EVP_DigestUpdate(inner.get(), ipad.data(), ipad.size());
  EVP_DigestInit_ex(outer.get(), EVP_sha1(), nullptr);
  EVP_DigestUpdate(outer.get(), opad.data(), opad.size());
  const auto packet = rtp_packet(0);
  const uint8_t roc[4] = {};
  std::array<uint8_t, 20> inner_digest, digest;
  for (auto _ : state) {
    unsigned int n = 0;
    EVP_MD_CTX_copy_ex(work.get(), inner.get());
    EVP_DigestUpdate(work.get(), packet.data(), kPacket);
    EVP_DigestUpdate(work.get(), roc, sizeof(roc));
    EVP_DigestFinal_ex(work.get(), inner_digest.data(), &n);
    EVP_MD_CTX_copy_ex(work.get(), outer.get());
    EVP_DigestUpdate(work.get(), inner_digest.data(), inner_digest.size());
    EVP_DigestFinal_ex(work.get(), digest.data(), &n);
    benchmark::DoNotOptimize(digest);
  }
}

BENCHMARK_CAPTURE(BM_ProtectOurs, gcm, SrtpProfile::AeadAes128Gcm)->Name("BM_Protect/ours/gcm");
BENCHMARK_CAPTURE(BM_ProtectLibsrtp, gcm, SrtpProfile::AeadAes128Gcm)->Name("BM_Protect/libsrtp2/gcm");
BENCHMARK_CAPTURE(BM_ProtectOurs, cm, SrtpProfile::Aes128CmHmacSha1_80)->Name("BM_Protect/ours/cm_sha1_80");
BENCHMARK_CAPTURE(BM_ProtectLibsrtp, cm, SrtpProfile::Aes128CmHmacSha1_80)
    ->Name("BM_Protect/libsrtp2/cm_sha1_80");
BENCHMARK_CAPTURE(BM_UnprotectOurs, gcm, SrtpProfile::AeadAes128Gcm)->Name("BM_Unprotect/ours/gcm");
BENCHMARK_CAPTURE(BM_UnprotectLibsrtp, gcm, SrtpProfile::AeadAes128Gcm)->Name("BM_Unprotect/libsrtp2/gcm");
BENCHMARK_CAPTURE(BM_UnprotectOurs, cm, SrtpProfile::Aes128CmHmacSha1_80)->Name("BM_Unprotect/ours/cm_sha1_80");
BENCHMARK_CAPTURE(BM_UnprotectLibsrtp, cm, SrtpProfile::Aes128CmHmacSha1_80)
    ->Name("BM_Unprotect/libsrtp2/cm_sha1_80");
BENCHMARK(BM_HmacSha1)->Name("BM_HmacSha1/sha_ctx_copy");
BENCHMARK(BM_HmacSha1EvpCopy)->Name("BM_HmacSha1/evp_md_ctx_copy");

}  // namespace
