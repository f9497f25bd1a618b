#pragma once
// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 §2.2):
// PSFB FMT 15 (application layer feedback) with the identifier 'REMB', a
// bitrate as 6-bit exponent and 18-bit mantissa, and the SSRCs it covers.
// The media source SSRC field of the common header is unused (0).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

class RtcpRemb {
 public:
  static constexpr uint8_t kType = rtcp_type::kPayloadFeedback;
  static constexpr uint8_t kFmt = rtcp_fmt::kAfb;
  static constexpr size_t kMaxSsrcs = 255;

  // Checks type, FMT, the 'REMB' identifier and that the SSRC list fits.
  static std::optional<RtcpRemb> parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const;
  uint64_t bitrate_bps() const;  // mantissa << exponent
  size_t ssrc_count() const { return body_[12]; }
  uint32_t ssrc(size_t index) const;  // index < ssrc_count()

  static constexpr size_t size(size_t ssrcs) { return 20 + 4 * ssrcs; }
  // Encodes the largest representable bitrate not above `bitrate_bps`.
  // Returns the length, or 0 if it does not fit or there are more than 255 SSRCs.
  static size_t build(std::span<uint8_t> out, uint32_t sender_ssrc, uint64_t bitrate_bps,
                      std::span<const uint32_t> ssrcs);

 private:
  explicit RtcpRemb(std::span<const uint8_t> body) : body_(body) {}

  std::span<const uint8_t> body_;
};

}  // namespace ct::rtp
