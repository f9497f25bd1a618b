#include "cascade/CascadeFeedback.hpp"

#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"

namespace ct::cascade {

bool read_cascade_feedback(std::span<const uint8_t> compound, CascadeFeedbackHandler& handler) {
  rtp::RtcpCompound packets(compound);
  while (auto packet = packets.next()) {
    if (auto pli = rtp::RtcpPli::parse(*packet)) {
      handler.on_keyframe_request(pli->media_ssrc());
    } else if (auto fir = rtp::RtcpFir::parse(*packet)) {
      for (size_t i = 0; i < fir->entry_count(); ++i) handler.on_keyframe_request(fir->entry(i).ssrc);
    } else if (auto nack = rtp::RtcpNack::parse(*packet)) {
      const uint32_t media = nack->media_ssrc();
      nack->for_each_lost([&](uint16_t sequence_number) { handler.on_nack(media, sequence_number); });
    }
  }
  return !packets.malformed() && packets.offset() == compound.size();
}

}  // namespace ct::cascade
