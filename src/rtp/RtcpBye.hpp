#pragma once
// Goodbye, RTCP type 203 (RFC 3550 §6.6).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

class RtcpBye {
 public:
  static constexpr uint8_t kType = rtcp_type::kBye;
  static constexpr size_t kMaxSsrcs = 31;

  // Checks the type, that SC SSRCs fit, and that a reason, if any, fits.
  static std::optional<RtcpBye> parse(const RtcpPacket& packet);

  size_t ssrc_count() const { return ssrc_count_; }
  uint32_t ssrc(size_t index) const;  // index < ssrc_count()
  std::string_view reason() const { return reason_; }

  static size_t size(size_t ssrcs, std::string_view reason);
  // Returns the length, or 0 if it does not fit, there are more than 31
  // SSRCs, or the reason is longer than 255 bytes.
  static size_t build(std::span<uint8_t> out, std::span<const uint32_t> ssrcs, std::string_view reason = {});

 private:
  RtcpBye(std::span<const uint8_t> body, size_t ssrc_count, std::string_view reason)
      : body_(body), ssrc_count_(ssrc_count), reason_(reason) {}

  std::span<const uint8_t> body_;
  size_t ssrc_count_ = 0;
  std::string_view reason_;
};

}  // namespace ct::rtp
