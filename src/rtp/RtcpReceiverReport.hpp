#pragma once
// Receiver report, RTCP type 201 (RFC 3550 §6.4.2).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/RtcpPacket.hpp"
#include "rtp/RtcpReportBlock.hpp"

namespace ct::rtp {

class RtcpReceiverReport {
 public:
  static constexpr uint8_t kType = rtcp_type::kReceiverReport;
  static constexpr size_t kMaxReportBlocks = 31;

  // Checks the type and that RC blocks fit.
  static std::optional<RtcpReceiverReport> parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const;
  size_t report_count() const { return report_count_; }
  RtcpReportBlock report_block(size_t index) const;  // index < report_count()

  static constexpr size_t size(size_t blocks) { return 8 + RtcpReportBlock::kSize * blocks; }
  // Returns the length written, 0 if `out` is too small or there are more
  // than 31 blocks.
  static size_t build(std::span<uint8_t> out, uint32_t sender_ssrc, std::span<const RtcpReportBlock> blocks);

 private:
  RtcpReceiverReport(std::span<const uint8_t> body, size_t report_count)
      : body_(body), report_count_(report_count) {}

  std::span<const uint8_t> body_;
  size_t report_count_ = 0;
};

}  // namespace ct::rtp
