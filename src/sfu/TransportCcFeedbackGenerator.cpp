#include "sfu/TransportCcFeedbackGenerator.hpp"

#include <algorithm>

namespace ct::sfu {

namespace {
using rtp::RtcpTransportCc;

constexpr int64_t kDeltaTicksPerReference = RtcpTransportCc::kReferenceTimeUnitUs / RtcpTransportCc::kDeltaUnitUs;

int64_t floor_div(int64_t value, int64_t divisor) {
  const int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

// §3.1: the reference time is a 24-bit signed field; receivers unwrap it.
int32_t wrap_reference_time(int64_t reference) {
  const int32_t low = int32_t(uint64_t(reference) & 0xFFFFFF);
  return low >= 0x800000 ? low - 0x1000000 : low;
}
}  // namespace

TransportCcFeedbackGenerator::TransportCcFeedbackGenerator(uint32_t sender_ssrc) : sender_ssrc_(sender_ssrc) {
  arrivals_.fill(kNotReceived);
}

void TransportCcFeedbackGenerator::on_packet(uint16_t transport_sequence_number, uint32_t media_ssrc,
                                             TimePoint arrival) {
  if (!started_) {
    started_ = true;
    origin_ = arrival;
    next_to_report_ = highest_ = transport_sequence_number;
  }
  media_ssrc_ = media_ssrc;
  const int64_t ext = highest_ + int16_t(uint16_t(transport_sequence_number - uint16_t(highest_)));
  if (ext < next_to_report_ || ext <= highest_ - int64_t(kWindow)) return;
  if (ext > highest_) {
    // Slots from the old highest up to and including the new one may hold
    // arrivals from a lap ago; the new packet's own slot too, or it would
    // keep the arrival of the packet kWindow numbers before it.
    const int64_t first = std::max(highest_ + 1, ext - int64_t(kWindow) + 1);
    for (int64_t seq = first; seq <= ext; ++seq) arrival_of(seq) = kNotReceived;
    highest_ = ext;
    next_to_report_ = std::max(next_to_report_, ext - int64_t(kWindow) + 1);
  }
  // A duplicate keeps the first arrival.
  int64_t& slot = arrival_of(ext);
  if (slot == kNotReceived) slot = std::chrono::duration_cast<microseconds>(arrival - origin_).count();
}

size_t TransportCcFeedbackGenerator::build_feedback(std::span<uint8_t> out, TimePoint /*now*/) {
  size_t written = 0;
  int64_t reference = 0;
  while (started_ && next_to_report_ <= highest_) {
    const size_t room = out.size() - written;
    const size_t fits = room >= RtcpTransportCc::max_size(0) ? (room - RtcpTransportCc::max_size(0)) / 4 : 0;
    const size_t limit = std::min({kMaxPacketsPerFeedback, fits, size_t(highest_ - next_to_report_ + 1)});
    if (limit == 0) break;
    // The reference time is the first arrival's, floored to 64 ms, so its
    // delta fits one byte.
    for (size_t i = 0; i < limit; ++i) {
      const int64_t arrival = arrival_of(next_to_report_ + int64_t(i));
      if (arrival != kNotReceived) {
        reference = floor_div(arrival, RtcpTransportCc::kReferenceTimeUnitUs);
        break;
      }
    }
    // Deltas are taken between floored ticks so rounding never accumulates.
    int64_t previous_tick = reference * kDeltaTicksPerReference;
    size_t count = 0;
    for (; count < limit; ++count) {
      const int64_t ext = next_to_report_ + int64_t(count);
      const int64_t arrival = arrival_of(ext);
      rtp::TransportCcPacket& packet = scratch_[count];
      packet = {uint16_t(ext), false, 0};
      if (arrival == kNotReceived) continue;
      const int64_t tick = floor_div(arrival, RtcpTransportCc::kDeltaUnitUs);
      const int64_t delta = tick - previous_tick;
      // §3.1.5: deltas are at most 16-bit signed; a longer pause starts a
      // new feedback packet with its own reference time.
      if (delta < INT16_MIN || delta > INT16_MAX) break;
      packet.received = true;
      packet.delta = int32_t(delta);
      previous_tick = tick;
    }
    const size_t length = RtcpTransportCc::build(out.subspan(written), sender_ssrc_, media_ssrc_,
                                                 wrap_reference_time(reference), feedback_count_,
                                                 std::span<const rtp::TransportCcPacket>(scratch_.data(), count));
    if (length == 0) break;
    // RFC 3550 §6.4.1 allows the P bit only on the last packet of a compound,
    // and more packets may follow this one. The draft's own layout ends in
    // zero padding covered by the length (§3.1), which parsers (ours and
    // libwebrtc's) skip: keep the bytes, zero them, drop the P bit.
    uint8_t* packet = out.data() + written;
    if (packet[0] & 0x20) {
      packet[0] = uint8_t(packet[0] & ~0x20);
      packet[length - 1] = 0;
    }
    written += length;
    ++feedback_count_;
    next_to_report_ += int64_t(count);
  }
  return written;
}

}  // namespace ct::sfu
