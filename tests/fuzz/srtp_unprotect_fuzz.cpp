// Fuzzes SrtpSession::unprotect_rtp / unprotect_rtcp for both profiles with
// fixed keys. The first input byte picks what to do with the rest:
//   even: unprotect the bytes as they are (all must be rejected or handled);
//   odd:  protect them with a matching sender first, then unprotect, so the
//         successful path (decryption, state insertion) is reached too, and the
//         round trip must give the input back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "srtp/SrtpSession.hpp"

namespace {

using ct::srtp::SrtpProfile;
using ct::srtp::SrtpSession;

const uint8_t kKey[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                          0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
const uint8_t kSalt[14] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad};

SrtpSession make(SrtpProfile profile, SrtpSession::Direction direction) {
  return SrtpSession(profile, std::span<const uint8_t>(kKey),
                     std::span<const uint8_t>(kSalt, ct::srtp::master_salt_length(profile)), direction);
}

void unprotect_as_is(SrtpProfile profile, const uint8_t* data, size_t size) {
  // Shared across inputs: nothing unauthenticated changes a session's state,
  // so runs stay independent of each other.
  static SrtpSession cm_receiver = make(SrtpProfile::Aes128CmHmacSha1_80, SrtpSession::Direction::Inbound);
  static SrtpSession gcm_receiver = make(SrtpProfile::AeadAes128Gcm, SrtpSession::Direction::Inbound);
  SrtpSession& receiver = profile == SrtpProfile::AeadAes128Gcm ? gcm_receiver : cm_receiver;
  // Exact-size buffers so any read past the packet is caught.
  std::vector<uint8_t> rtp(data, data + size);
  auto rtp_result = receiver.unprotect_rtp(rtp, rtp.size());
  if (rtp_result && rtp_result.length > size) abort();
  std::vector<uint8_t> rtcp(data, data + size);
  auto rtcp_result = receiver.unprotect_rtcp(rtcp, rtcp.size());
  if (rtcp_result && rtcp_result.length > size) abort();
  // Without the key no input can authenticate.
  if (rtp_result || rtcp_result) abort();
}

void round_trip(SrtpProfile profile, const uint8_t* data, size_t size) {
  SrtpSession sender = make(profile, SrtpSession::Direction::Outbound);
  SrtpSession receiver = make(profile, SrtpSession::Direction::Inbound);
  for (bool rtcp : {false, true}) {
    const size_t overhead = rtcp ? ct::srtp::rtcp_overhead(profile) : ct::srtp::rtp_overhead(profile);
    std::vector<uint8_t> buffer(data, data + size);
    buffer.resize(size + overhead);
    auto protected_result = rtcp ? sender.protect_rtcp(buffer, size) : sender.protect_rtp(buffer, size);
    if (!protected_result) continue;
    if (protected_result.length != size + overhead) abort();
    buffer.resize(protected_result.length);
    auto plain = rtcp ? receiver.unprotect_rtcp(buffer, buffer.size()) : receiver.unprotect_rtp(buffer, buffer.size());
    if (!plain || plain.length != size || std::memcmp(buffer.data(), data, size) != 0) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool protect_first = data[0] & 1;
  ++data;
  --size;
  for (SrtpProfile profile : {SrtpProfile::Aes128CmHmacSha1_80, SrtpProfile::AeadAes128Gcm}) {
    if (protect_first) {
      round_trip(profile, data, size);
    } else {
      unprotect_as_is(profile, data, size);
    }
  }
  return 0;
}
