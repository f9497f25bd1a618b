#pragma once
// Sender report, RTCP type 200 (RFC 3550 §6.4.1).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/RtcpPacket.hpp"
#include "rtp/RtcpReportBlock.hpp"

namespace ct::rtp {

struct RtcpSenderInfo {
  uint64_t ntp_timestamp = 0;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  bool operator==(const RtcpSenderInfo&) const = default;
};

class RtcpSenderReport {
 public:
  static constexpr uint8_t kType = rtcp_type::kSenderReport;
  static constexpr size_t kMaxReportBlocks = 31;

  // Checks the type and that the sender info and RC blocks fit.
  static std::optional<RtcpSenderReport> parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const;
  RtcpSenderInfo sender_info() const;
  size_t report_count() const { return report_count_; }
  RtcpReportBlock report_block(size_t index) const;  // index < report_count()

  // Packet size for `blocks` report blocks.
  static constexpr size_t size(size_t blocks) { return 28 + RtcpReportBlock::kSize * blocks; }
  // Returns the length written, 0 if `out` is too small or there are more
  // than 31 blocks.
  static size_t build(std::span<uint8_t> out, uint32_t sender_ssrc, const RtcpSenderInfo& info,
                      std::span<const RtcpReportBlock> blocks);

 private:
  RtcpSenderReport(std::span<const uint8_t> body, size_t report_count)
      : body_(body), report_count_(report_count) {}

  std::span<const uint8_t> body_;
  size_t report_count_ = 0;
};

}  // namespace ct::rtp
