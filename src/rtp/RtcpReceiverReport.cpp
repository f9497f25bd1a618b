#include "rtp/RtcpReceiverReport.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

std::optional<RtcpReceiverReport> RtcpReceiverReport::parse(const RtcpPacket& packet) {
  if (packet.type() != kType) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  const size_t count = packet.count();
  if (body.size() < 4 + RtcpReportBlock::kSize * count) return std::nullopt;
  return RtcpReceiverReport(body, count);
}

uint32_t RtcpReceiverReport::sender_ssrc() const { return load_u32(&body_[0]); }

RtcpReportBlock RtcpReceiverReport::report_block(size_t index) const {
  return RtcpReportBlock::read(&body_[4 + RtcpReportBlock::kSize * index]);
}

size_t RtcpReceiverReport::build(std::span<uint8_t> out, uint32_t sender_ssrc,
                                 std::span<const RtcpReportBlock> blocks) {
  const size_t total = size(blocks.size());
  if (blocks.size() > kMaxReportBlocks || out.size() < total) return 0;
  uint8_t* p = out.data();
  write_rtcp_header(p, uint8_t(blocks.size()), kType, total);
  store_u32(p + 4, sender_ssrc);
  for (size_t i = 0; i < blocks.size(); ++i) blocks[i].write(p + 8 + RtcpReportBlock::kSize * i);
  return total;
}

}  // namespace ct::rtp
