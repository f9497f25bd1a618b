#pragma once
// Picture loss indication, PSFB FMT 1 (RFC 4585 §6.3.1): no FCI.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

class RtcpPli {
 public:
  static constexpr uint8_t kType = rtcp_type::kPayloadFeedback;
  static constexpr uint8_t kFmt = rtcp_fmt::kPli;
  static constexpr size_t kSize = 12;

  static std::optional<RtcpPli> parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const { return sender_ssrc_; }
  uint32_t media_ssrc() const { return media_ssrc_; }

  // Returns kSize, or 0 if `out` is too small.
  static size_t build(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc);

 private:
  RtcpPli(uint32_t sender_ssrc, uint32_t media_ssrc) : sender_ssrc_(sender_ssrc), media_ssrc_(media_ssrc) {}

  uint32_t sender_ssrc_ = 0;
  uint32_t media_ssrc_ = 0;
};

}  // namespace ct::rtp
