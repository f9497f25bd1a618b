#include "rtp/RtcpFir.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

std::optional<RtcpFir> RtcpFir::parse(const RtcpPacket& packet) {
  if (packet.type() != kType || packet.count() != kFmt) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  if (body.size() < 8 + kEntrySize) return std::nullopt;
  return RtcpFir(body);
}

uint32_t RtcpFir::sender_ssrc() const { return load_u32(&body_[0]); }

RtcpFirEntry RtcpFir::entry(size_t index) const {
  const uint8_t* p = &body_[8 + kEntrySize * index];
  return {load_u32(p), p[4]};
}

size_t RtcpFir::build(std::span<uint8_t> out, uint32_t sender_ssrc, std::span<const RtcpFirEntry> entries) {
  const size_t total = size(entries.size());
  if (entries.empty() || out.size() < total || total > 4 * 65536) return 0;
  uint8_t* p = out.data();
  write_rtcp_feedback_header(p, kFmt, kType, total, sender_ssrc, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    uint8_t* e = p + 12 + kEntrySize * i;
    store_u32(e, entries[i].ssrc);
    store_u32(e + 4, uint32_t(entries[i].sequence_number) << 24);  // then 24 reserved bits
  }
  return total;
}

}  // namespace ct::rtp
