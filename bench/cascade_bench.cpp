// What a cascade link adds to sending one 1100-byte RTP packet to another
// node: sealing it for the link (frame header + SRTP with the link's keys)
// next to protecting it with a bare SrtpSession, the cost of any forwarded
// copy. Both copy the plain packet into the send buffer first, as forwarding does.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>

#include "cascade/CascadeLink.hpp"
#include "core/Endian.hpp"
#include "srtp/SrtpSession.hpp"

namespace {

using ct::cascade::CascadeFrame;
using ct::cascade::CascadeKeys;
using ct::cascade::CascadeLink;
using ct::srtp::SrtpProfile;
using ct::srtp::SrtpSession;

constexpr size_t kPacket = 1100;

std::array<uint8_t, kPacket> plain_packet() {
  std::array<uint8_t, kPacket> p;
  p.fill(0xab);
  p[0] = 0x80;
  p[1] = 96;
  ct::store_u32(&p[4], 123456);
  ct::store_u32(&p[8], 0x11223344);
  return p;
}

SrtpProfile profile_of(const benchmark::State& state) {
  return state.range(0) ? SrtpProfile::AeadAes128Gcm : SrtpProfile::Aes128CmHmacSha1_80;
}

void BM_BareSrtpProtect(benchmark::State& state) {
  const auto keys = CascadeKeys::generate(profile_of(state));
  SrtpSession session(keys.profile, keys.master_key, keys.master_salt, SrtpSession::Direction::Outbound);
  const auto plain = plain_packet();
  std::array<uint8_t, 1500> buffer;
  uint16_t seq = 0;
  for (auto _ : state) {
    std::memcpy(buffer.data(), plain.data(), kPacket);
    ct::store_u16(&buffer[2], seq++);
    benchmark::DoNotOptimize(session.protect_rtp(buffer, kPacket));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CascadeLinkSeal(benchmark::State& state) {
  const auto send = CascadeKeys::generate(profile_of(state));
  const auto receive = CascadeKeys::generate(profile_of(state));
  CascadeLink link(7, send, receive);
  const auto plain = plain_packet();
  std::array<uint8_t, 1500> buffer;
  uint16_t seq = 0;
  for (auto _ : state) {
    std::memcpy(buffer.data() + CascadeFrame::kHeaderSize, plain.data(), kPacket);
    ct::store_u16(&buffer[CascadeFrame::kHeaderSize + 2], seq++);
    benchmark::DoNotOptimize(link.seal_rtp(buffer, kPacket));
  }
  state.SetItemsProcessed(state.iterations());
}

// range(0): 1 = AEAD_AES_128_GCM, 0 = AES_CM_128_HMAC_SHA1_80.
BENCHMARK(BM_BareSrtpProtect)->Arg(1)->Arg(0);
BENCHMARK(BM_CascadeLinkSeal)->Arg(1)->Arg(0);

}  // namespace
