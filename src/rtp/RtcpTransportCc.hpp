#pragma once
// Transport-wide congestion control feedback, RTPFB FMT 15
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): for a range of
// transport sequence numbers, whether each packet arrived and, for those
// that did, its arrival time relative to the previous one.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

struct TransportCcPacket {
  uint16_t sequence_number = 0;
  bool received = false;
  // Arrival time minus the previous received packet's (the reference time
  // for the first), in 250 µs units; 0 when not received.
  int32_t delta = 0;
  bool operator==(const TransportCcPacket&) const = default;
};

class RtcpTransportCc {
 public:
  static constexpr uint8_t kType = rtcp_type::kTransportFeedback;
  static constexpr uint8_t kFmt = rtcp_fmt::kTransportCc;
  static constexpr int64_t kReferenceTimeUnitUs = 64000;
  static constexpr int64_t kDeltaUnitUs = 250;

  // Checks type and FMT, and decodes every chunk and delta once: a parsed
  // feedback always decodes.
  static std::optional<RtcpTransportCc> parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const;
  uint32_t media_ssrc() const;
  uint16_t base_sequence_number() const;
  uint16_t packet_status_count() const;
  int32_t reference_time() const;  // 24-bit signed, in 64 ms units
  uint8_t feedback_packet_count() const;
  size_t received_count() const { return received_count_; }

  // Writes packet_status_count() entries to the front of `out`; returns the
  // count, or 0 if `out` is too small.
  size_t packets(std::span<TransportCcPacket> out) const;
  // Replaces the contents of `out` (its capacity is reused).
  void packets(std::vector<TransportCcPacket>& out) const;

  // Upper bound of the packet size build() writes for `count` packets.
  static constexpr size_t max_size(size_t count) { return 20 + 2 * count + 2 * count + 3; }
  // Encodes `packets`, whose sequence numbers must be consecutive (the
  // first is the base). Deltas of 0..255 take one byte, other int16 values
  // two. Returns the length (padded to 32 bits with the P bit), or 0 if it
  // does not fit or the input cannot be encoded.
  static size_t build(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                      int32_t reference_time, uint8_t feedback_packet_count,
                      std::span<const TransportCcPacket> packets);

 private:
  RtcpTransportCc(std::span<const uint8_t> body, size_t received_count)
      : body_(body), received_count_(received_count) {}
  // Decodes into `out` when it is not empty; returns false if malformed.
  static bool decode(std::span<const uint8_t> body, std::span<TransportCcPacket> out, size_t& received_count);

  std::span<const uint8_t> body_;
  size_t received_count_ = 0;
};

}  // namespace ct::rtp
