#pragma once
// Writes transport-cc feedback the way a receiver does (reference time of the
// first arrival floored to 64 ms, deltas between floored 250 µs ticks) with
// the rtp layer's builder, and keeps the bytes alive for the parsed view.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "rtp/RtcpPacket.hpp"
#include "rtp/RtcpTransportCc.hpp"

namespace ct::bwe::test {

// One status per consecutive sequence number from `base`: the arrival time
// in µs on the receiver's clock, or nullopt when lost.
inline std::vector<uint8_t> write_feedback(uint16_t base,
                                           const std::vector<std::optional<int64_t>>& arrivals_us,
                                           uint8_t feedback_count = 0) {
  using rtp::RtcpTransportCc;
  auto floor_div = [](int64_t value, int64_t divisor) {
    const int64_t q = value / divisor;
    return (value % divisor != 0 && value < 0) ? q - 1 : q;
  };
  int64_t reference = 0;
  for (const auto& arrival : arrivals_us) {
    if (arrival) {
      reference = floor_div(*arrival, RtcpTransportCc::kReferenceTimeUnitUs);
      break;
    }
  }
  int64_t previous_tick = reference * (RtcpTransportCc::kReferenceTimeUnitUs / RtcpTransportCc::kDeltaUnitUs);
  std::vector<rtp::TransportCcPacket> packets;
  for (size_t i = 0; i < arrivals_us.size(); ++i) {
    rtp::TransportCcPacket packet{uint16_t(base + i), false, 0};
    if (arrivals_us[i]) {
      const int64_t tick = floor_div(*arrivals_us[i], RtcpTransportCc::kDeltaUnitUs);
      packet.received = true;
      packet.delta = int32_t(tick - previous_tick);
      previous_tick = tick;
    }
    packets.push_back(packet);
  }
  int32_t wrapped = int32_t(uint64_t(reference) & 0xFFFFFF);
  if (wrapped >= 0x800000) wrapped -= 0x1000000;
  std::vector<uint8_t> out(RtcpTransportCc::max_size(packets.size()));
  const size_t length = RtcpTransportCc::build(out, 1, 2, wrapped, feedback_count, packets);
  if (length == 0) throw std::runtime_error("feedback does not encode");
  out.resize(length);
  return out;
}

// The parsed view over `bytes` (which must outlive it).
inline rtp::RtcpTransportCc parse_feedback(const std::vector<uint8_t>& bytes) {
  const auto packet = rtp::RtcpPacket::parse(bytes);
  if (!packet) throw std::runtime_error("not an RTCP packet");
  const auto feedback = rtp::RtcpTransportCc::parse(*packet);
  if (!feedback) throw std::runtime_error("not a transport-cc feedback");
  return *feedback;
}

}  // namespace ct::bwe::test
