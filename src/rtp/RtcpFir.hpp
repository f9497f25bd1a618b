#pragma once
// Full intra request, PSFB FMT 4 (RFC 5104 §4.3.1): one FCI entry per
// media sender asked for a keyframe, each with a command sequence number.
// The media source SSRC field of the common header is unused (0).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

struct RtcpFirEntry {
  uint32_t ssrc = 0;
  uint8_t sequence_number = 0;  // incremented per new request (§4.3.1.2)
  bool operator==(const RtcpFirEntry&) const = default;
};

class RtcpFir {
 public:
  static constexpr uint8_t kType = rtcp_type::kPayloadFeedback;
  static constexpr uint8_t kFmt = rtcp_fmt::kFir;
  static constexpr size_t kEntrySize = 8;

  // Checks type and FMT, and at least one whole FCI entry.
  static std::optional<RtcpFir> parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const;
  size_t entry_count() const { return (body_.size() - 8) / kEntrySize; }
  RtcpFirEntry entry(size_t index) const;  // index < entry_count()

  static constexpr size_t size(size_t entries) { return 12 + kEntrySize * entries; }
  // Returns the length, or 0 if it does not fit or `entries` is empty.
  static size_t build(std::span<uint8_t> out, uint32_t sender_ssrc, std::span<const RtcpFirEntry> entries);

 private:
  explicit RtcpFir(std::span<const uint8_t> body) : body_(body) {}

  std::span<const uint8_t> body_;
};

}  // namespace ct::rtp
