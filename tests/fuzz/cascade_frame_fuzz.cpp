// Fuzzes what a node reads off its cascade link socket and out of the shared
// store: the frame (parse_cascade_frame), its unprotecting by a link with
// fixed keys (both profiles), the feedback read from a link's RTCP
// (read_cascade_feedback), and the text forms of the keys and of a link offer
// (CascadeKeys::parse, CascadeLinkOffer::parse).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "cascade/CascadeFeedback.hpp"
#include "cascade/CascadeFrame.hpp"
#include "cascade/CascadeKeys.hpp"
#include "cascade/CascadeLink.hpp"
#include "cascade/CascadeLinkOffer.hpp"

namespace {

using ct::cascade::CascadeKeys;
using ct::cascade::CascadeLink;
using ct::srtp::SrtpProfile;

struct Sink : ct::cascade::CascadeFeedbackHandler {
  void on_keyframe_request(uint32_t) override {}
  void on_nack(uint32_t, uint16_t) override {}
};

CascadeKeys fixed(SrtpProfile profile, uint8_t seed) {
  CascadeKeys keys;
  keys.profile = profile;
  keys.master_key.assign(16, seed);
  keys.master_salt.assign(ct::srtp::master_salt_length(profile), uint8_t(seed + 1));
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Only authenticated packets change a link's state, so runs stay independent.
  static CascadeLink gcm(1, fixed(SrtpProfile::AeadAes128Gcm, 1), fixed(SrtpProfile::AeadAes128Gcm, 2));
  static CascadeLink cm(1, fixed(SrtpProfile::Aes128CmHmacSha1_80, 1),
                        fixed(SrtpProfile::Aes128CmHmacSha1_80, 2));

  std::vector<uint8_t> datagram(data, data + size);  // exact size: reads past the end are caught
  if (auto frame = ct::cascade::parse_cascade_frame(datagram)) {
    if (frame->packet.data() + frame->packet.size() != datagram.data() + datagram.size()) abort();
    CascadeLink& link = frame->link_id % 2 ? gcm : cm;
    if (auto plain = link.open(*frame); plain && plain->size() > frame->packet.size()) abort();
  }

  Sink sink;
  ct::cascade::read_cascade_feedback(std::span<const uint8_t>(data, size), sink);

  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto keys = CascadeKeys::parse(text)) {
    if (keys->master_key.size() != 16 ||
        keys->master_salt.size() != ct::srtp::master_salt_length(keys->profile))
      abort();
    if (CascadeKeys::parse(keys->to_text()) != keys) abort();
  }
  if (auto offer = ct::cascade::CascadeLinkOffer::parse(text)) {
    if (offer->link_id == 0 || ct::cascade::CascadeLinkOffer::parse(offer->to_text()) != offer) abort();
  }
  return 0;
}
