#pragma once
// Generic NACK, RTPFB FMT 1 (RFC 4585 §6.2.1): FCI entries of a packet id
// (PID) and a bitmask of the 16 following lost packets (BLP).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

struct RtcpNackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;  // bit i set: pid + i + 1 is lost too
  bool operator==(const RtcpNackItem&) const = default;
};

class RtcpNack {
 public:
  static constexpr uint8_t kType = rtcp_type::kTransportFeedback;
  static constexpr uint8_t kFmt = rtcp_fmt::kNack;

  // Checks type and FMT, and at least one whole FCI entry.
  static std::optional<RtcpNack> parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const;
  uint32_t media_ssrc() const;
  size_t item_count() const { return (body_.size() - 8) / 4; }
  RtcpNackItem item(size_t index) const;  // index < item_count()

  // Calls f(uint16_t) for every lost sequence number, in wire order.
  template <class F>
  void for_each_lost(F&& f) const {
    for (size_t i = 0; i < item_count(); ++i) {
      const RtcpNackItem entry = item(i);
      f(entry.pid);
      for (unsigned bit = 0; bit < 16; ++bit) {
        if (entry.blp & (1u << bit)) f(uint16_t(entry.pid + bit + 1));
      }
    }
  }
  // Appends every lost sequence number to `out`.
  void lost_sequence_numbers(std::vector<uint16_t>& out) const;

  static constexpr size_t size(size_t items) { return 12 + 4 * items; }
  // Number of FCI entries build() uses for `lost`, given in increasing
  // (wrapping) order.
  static size_t item_count_for(std::span<const uint16_t> lost);
  // Packs `lost` into PID+BLP entries. Returns the length, or 0 if it does
  // not fit or `lost` is empty.
  static size_t build(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                      std::span<const uint16_t> lost);
  static size_t build(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                      std::span<const RtcpNackItem> items);

 private:
  explicit RtcpNack(std::span<const uint8_t> body) : body_(body) {}

  std::span<const uint8_t> body_;
};

}  // namespace ct::rtp
