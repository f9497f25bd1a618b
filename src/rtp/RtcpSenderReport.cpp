#include "rtp/RtcpSenderReport.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

namespace {
constexpr size_t kBlocksOffset = 24;  // sender SSRC + 20 bytes of sender info
}

std::optional<RtcpSenderReport> RtcpSenderReport::parse(const RtcpPacket& packet) {
  if (packet.type() != kType) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  const size_t count = packet.count();
  // Profile-specific extensions may follow the blocks (§6.4.1); they are ignored.
  if (body.size() < kBlocksOffset + RtcpReportBlock::kSize * count) return std::nullopt;
  return RtcpSenderReport(body, count);
}

uint32_t RtcpSenderReport::sender_ssrc() const { return load_u32(&body_[0]); }

RtcpSenderInfo RtcpSenderReport::sender_info() const {
  return {load_u64(&body_[4]), load_u32(&body_[12]), load_u32(&body_[16]), load_u32(&body_[20])};
}

RtcpReportBlock RtcpSenderReport::report_block(size_t index) const {
  return RtcpReportBlock::read(&body_[kBlocksOffset + RtcpReportBlock::kSize * index]);
}

size_t RtcpSenderReport::build(std::span<uint8_t> out, uint32_t sender_ssrc, const RtcpSenderInfo& info,
                               std::span<const RtcpReportBlock> blocks) {
  const size_t total = size(blocks.size());
  if (blocks.size() > kMaxReportBlocks || out.size() < total) return 0;
  uint8_t* p = out.data();
  write_rtcp_header(p, uint8_t(blocks.size()), kType, total);
  store_u32(p + 4, sender_ssrc);
  store_u64(p + 8, info.ntp_timestamp);
  store_u32(p + 16, info.rtp_timestamp);
  store_u32(p + 20, info.packet_count);
  store_u32(p + 24, info.octet_count);
  for (size_t i = 0; i < blocks.size(); ++i) blocks[i].write(p + 28 + RtcpReportBlock::kSize * i);
  return total;
}

}  // namespace ct::rtp
